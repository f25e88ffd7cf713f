import type { WharfError } from '../errors.js';
import type { Duration } from '../job/duration.js';
import type { EnqueuedJob, EnqueueRequest } from '../job/enqueue-request.js';
import type { RecurringTask } from '../schedule/define-recurring.js';

export type { EnqueuedJob, EnqueueRequest } from '../job/enqueue-request.js';

export interface EnqueueFailure {
  /** Index in the input list. */
  readonly index: number;
  readonly jobName: string;
  readonly jobId: string;
  readonly error: WharfError;
}

export interface EnqueueManyResult {
  /** In input order, only those confirmed by the transport. */
  readonly enqueued: readonly EnqueuedJob[];
  /** Entries the transport refused after retries; nothing here was sent. */
  readonly failed: readonly EnqueueFailure[];
}

/** What `performLater` talks to: the real client, or a capturing one in tests. */
export interface Enqueuer {
  /** Validates and sends one job; throws when it cannot be confirmed. */
  enqueue(request: EnqueueRequest): Promise<EnqueuedJob>;
  /**
   * Validates every request first and sends nothing when any is invalid (the error lists every problem);
   * then sends in batches and reports per item.
   */
  enqueueMany(requests: readonly EnqueueRequest[]): Promise<EnqueueManyResult>;
}

/** When a scheduled job should run instead: after a delay from now, or at a time. */
export interface RescheduleOptions {
  readonly delay?: Duration;
  readonly at?: Date;
}

/**
 * `cancel` never reports success for nothing: `not-scheduled` says the job was not waiting in a schedule, so it
 * could not be stopped (it has fired, it went to SQS directly, or the id is unknown; see `reason`).
 */
export type CancelResult =
  | { readonly outcome: 'cancelled'; readonly jobId: string }
  | { readonly outcome: 'not-scheduled'; readonly jobId: string; readonly reason: string };

export type RescheduleResult =
  | {
      readonly outcome: 'rescheduled';
      readonly jobId: string;
      readonly runAtMs: number;
      /** `queue` when the new time is within 15 minutes: the job was sent to SQS and its schedule deleted. */
      readonly via: 'queue' | 'scheduler';
      /**
       * The schedule fired while the job was being moved to SQS: it will be delivered twice, with the same job id
       * (an exactly-once job still runs once).
       */
      readonly alsoFired?: boolean;
    }
  | { readonly outcome: 'not-scheduled'; readonly jobId: string; readonly reason: string };

/**
 * A job, by its full job id (`'invoice-i1'`, `'send-invoice:i1'` for an id from a `jobId` function, see
 * `job.jobIdFor`), or by what `performLater` returned (anything with `jobId`).
 */
export type JobRef = string | { readonly jobId: string };

/** The client `createClient` returns: enqueue, plus what only works with a scheduler behind it. */
export interface WharfClient extends Enqueuer {
  /** Deletes the job's pending schedule, so it never runs. */
  cancel(job: JobRef): Promise<CancelResult>;
  /** Moves a job still waiting in its schedule to another time (within 15 minutes: straight to SQS). */
  reschedule(job: JobRef, when: RescheduleOptions): Promise<RescheduleResult>;
  /**
   * Creates or replaces a recurring schedule at run time (a reminder per user, say). Its firings are deduplicated
   * exactly like those of tasks declared in code. A disabled task's schedule is deleted.
   */
  upsertRecurring(task: RecurringTask): Promise<'created' | 'updated' | 'deleted'>;
  /** Deletes a recurring schedule made at run time; false when there was none. */
  deleteRecurring(task: string): Promise<boolean>;
}

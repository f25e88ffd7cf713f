import type { ErrorSummary } from '../envelope/envelope.js';
import type { WharfError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import type { Duration } from '../job/duration.js';
import type { EnqueuedJob, EnqueueRequest } from '../job/enqueue-request.js';
import type { RecurringTask } from '../schedule/define-recurring.js';
import type { JobRecord, JobStatus } from '../store/types.js';

export type { EnqueuedJob, EnqueueRequest } from '../job/enqueue-request.js';
export type { BatchOptions, BatchResult } from './batch-client.js';

import type { BatchOptions, BatchResult } from './batch-client.js';

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
  /**
   * In input order, those not sent because their unique key was held (by an earlier job, or by an earlier item of
   * this call): `jobId` is the holder's (README "Unique jobs").
   */
  readonly duplicates: readonly (EnqueuedJob & { readonly index: number })[];
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
  /**
   * Enqueues `requests` as one batch whose callbacks run when they end (README "Batches"). Absent on an enqueuer
   * that cannot keep a batch record (one built without a job store).
   */
  enqueueBatch?(requests: readonly EnqueueRequest[], options?: BatchOptions): Promise<BatchResult>;
  /** Adds jobs to an open batch (what `ctx.batch.add` calls): refused once the batch has finished. */
  addToBatch?(batchId: string, requests: readonly EnqueueRequest[]): Promise<EnqueueManyResult>;
}

/** When a scheduled job should run instead: after a delay from now, or at a time. */
export interface RescheduleOptions {
  readonly delay?: Duration;
  readonly at?: Date;
}

/**
 * What `cancel` did, never success for nothing (README "Cancel"):
 * - `cancelled` at `schedule`: its pending schedule was deleted; at `queue`: a cancellation is recorded that the
 *   job's claim honours, so its message is acknowledged unrun (`cancelled` in the CLI and dashboard).
 * - `signalled`: it is running. Its `ctx.signal` aborts at the next heartbeat where the adapter has one (the
 *   worker process); on Lambda the run goes on to its end. Either way no retry of it starts.
 * - `not-cancelled`: nothing could be stopped, and `reason` says why (it had finished, the job does not claim its
 *   runs, or no store or scheduler is configured).
 */
export type CancelResult =
  | {
      readonly outcome: 'cancelled';
      readonly jobId: string;
      readonly where: 'schedule' | 'queue';
      /** Set when no run of the id was seen yet and it looks mistyped: the ids it may have meant. */
      readonly note?: string;
    }
  | { readonly outcome: 'signalled'; readonly jobId: string; readonly reason: string }
  | { readonly outcome: 'not-cancelled'; readonly jobId: string; readonly reason: string };

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

export interface WaitForOptions {
  /** How long to wait, on the client's clock (the embedded engine's clock for its client). @default '30s' */
  readonly timeout?: Duration;
  /** Stops the wait at once: `waitFor` rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * What `waitFor` saw (README "Waiting for a result"):
 * - `succeeded`: `result` is the job's return value as its record keeps it (JSON, up to 32 KB); a bigger result,
 *   or one that is not JSON, is not kept, and `result` is then undefined.
 * - `dead`, `discarded`, `expired`, `cancelled`: the job ended without a result; `reason` says why (the last
 *   error's message, or why it never ran), `error` is the last error when there was one.
 * - `timeout`: it had not ended by the timeout. `last` is the status last seen, undefined when no record of the
 *   id was seen at all (still on its queue, a mistyped id, or a job with idempotency 'off', which keeps none).
 */
export type WaitOutcome<R = unknown> =
  | {
      readonly status: 'succeeded';
      readonly jobId: string;
      readonly result: R | undefined;
      readonly record: JobRecord;
    }
  | {
      readonly status: 'dead' | 'discarded' | 'expired' | 'cancelled';
      readonly jobId: string;
      readonly reason: string;
      readonly error?: ErrorSummary;
      readonly record: JobRecord;
    }
  | {
      readonly status: 'timeout';
      readonly jobId: string;
      readonly last: JobStatus | undefined;
      readonly waitedMs: number;
      /** Reads of the record made (each one GetItem on AWS). */
      readonly polls: number;
      readonly reason: string;
    };

/** The return type of a job definition's `perform`, for `waitFor(job, jobId)`. */
export type JobResultOf<J extends JobDefinition> = Awaited<ReturnType<J['perform']>>;

/** A value in DynamoDB's low-level form, as TransactWriteItems takes it. */
export type OutboxAttributeValue = { readonly S: string } | { readonly N: string };

/**
 * One entry of a DynamoDB TransactWriteItems call: it puts a job in the outbox of the job table, and it commits
 * or fails with the caller's own writes (README "Enqueue after commit"). `V` is how its values are written: the
 * low-level form of `@aws-sdk/client-dynamodb` (the default), or plain strings and numbers with `format:
 * 'document'` (for `@aws-sdk/lib-dynamodb`). Either way it goes into `TransactItems` as it is.
 */
export interface OutboxTransactItem<V extends OutboxAttributeValue | string | number = OutboxAttributeValue> {
  readonly Put: {
    readonly TableName: string;
    readonly Item: Readonly<Record<string, V>>;
    readonly ConditionExpression: string;
  };
}

export interface TransactItemsOptions {
  /** `low-level` for `TransactWriteItemsCommand` of client-dynamodb; `document` for lib-dynamodb. @default 'low-level' */
  readonly format?: 'low-level' | 'document';
}

/** The client `createClient` returns: enqueue, plus what only works with a scheduler behind it. */
export interface WharfClient extends Enqueuer {
  enqueueBatch(requests: readonly EnqueueRequest[], options?: BatchOptions): Promise<BatchResult>;
  addToBatch(batchId: string, requests: readonly EnqueueRequest[]): Promise<EnqueueManyResult>;
  /**
   * Stops a job: deletes its pending schedule, or records a cancellation its claim honours when it is on its
   * queue, or tells it through `ctx.signal` when it runs. The result says which (CancelResult).
   */
  cancel(job: JobRef): Promise<CancelResult>;
  /**
   * The TransactWriteItems entries that enqueue these jobs once the caller's own DynamoDB transaction commits
   * (the outbox: README "Enqueue after commit"). Validated as an enqueue is; nothing is sent now.
   */
  transactItems(
    requests: EnqueueRequest | readonly EnqueueRequest[],
    options?: TransactItemsOptions & { readonly format?: 'low-level' },
  ): Promise<OutboxTransactItem[]>;
  transactItems(
    requests: EnqueueRequest | readonly EnqueueRequest[],
    options: TransactItemsOptions & { readonly format: 'document' },
  ): Promise<OutboxTransactItem<string | number>[]>;
  transactItems(
    requests: EnqueueRequest | readonly EnqueueRequest[],
    options?: TransactItemsOptions,
  ): Promise<OutboxTransactItem<OutboxAttributeValue | string | number>[]>;
  /**
   * Waits for a job to end by reading its record with backoff (README "Waiting for a result"): `{ status, result }`
   * once it succeeded, the reason when it ended otherwise, `{ status: 'timeout', last }` when `timeout` passes.
   * Needs the job store. Given the job's definition first, the result is typed as its `perform` returns it (as
   * JSON carries it: a Date arrives as a string), and a job with idempotency 'off' is refused at once.
   */
  waitFor(job: JobRef, options?: WaitForOptions): Promise<WaitOutcome>;
  waitFor<J extends JobDefinition>(
    definition: J,
    job: JobRef,
    options?: WaitForOptions,
  ): Promise<WaitOutcome<JobResultOf<J>>>;
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

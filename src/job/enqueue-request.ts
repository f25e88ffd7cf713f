import type { JobDefinition } from './define-job.js';
import type { EnqueueOptions } from './types.js';

// What `performLater` and `job.with` speak: defined here, beside the job, so that job/ needs nothing from the
// client that sends them (client/types.ts re-exports both).

/** One job to enqueue, made by `job.with(payload, options)`. */
export interface EnqueueRequest {
  readonly job: JobDefinition;
  readonly payload: unknown;
  readonly options: EnqueueOptions;
}

export interface EnqueuedJob {
  /**
   * `enqueued`: sent (or, debounced, folded into its burst's run). `duplicate`: the job's unique key is held by
   * another job, so nothing was sent, and `jobId` is that job's id (README "Unique jobs").
   */
  readonly outcome: 'enqueued' | 'duplicate';
  /** The job's id; for a duplicate, the id of the job that holds the key. */
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  /** The priority lane it went to, on a queue with lanes (README "Priority lanes"). */
  readonly lane?: string;
  /** The transport's message id; absent when the job was captured (testing) rather than sent. */
  readonly messageId?: string;
  /** When the job becomes due (epoch ms); for a duplicate, when this enqueue asked it to be. */
  readonly runAtMs: number;
  /** When it expires unless started (epoch ms), with `expiresIn`. */
  readonly expiresAtMs?: number;
  /** Debounced: the enqueues the burst holds so far, this one included; its run gets the last one's payload. */
  readonly debounced?: { readonly count: number };
  /**
   * How it travels: `queue` (SQS, with DelaySeconds up to 15 minutes, or hopping every 15 minutes when no scheduler
   * is configured), or `scheduler` (an EventBridge Scheduler schedule puts it on its queue at its time; it can be
   * cancelled or rescheduled until then). Absent when the job was captured (testing).
   */
  readonly via?: 'queue' | 'scheduler';
}

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
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  /** The priority lane it went to, on a queue with lanes (README "Priority lanes"). */
  readonly lane?: string;
  /** The transport's message id; absent when the job was captured (testing) rather than sent. */
  readonly messageId?: string;
  /** When the job becomes due (epoch ms). */
  readonly runAtMs: number;
  /**
   * How it travels: `queue` (SQS, with DelaySeconds up to 15 minutes, or hopping every 15 minutes when no scheduler
   * is configured), or `scheduler` (an EventBridge Scheduler schedule puts it on its queue at its time; it can be
   * cancelled or rescheduled until then). Absent when the job was captured (testing).
   */
  readonly via?: 'queue' | 'scheduler';
}

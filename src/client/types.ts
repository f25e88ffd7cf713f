import type { WharfError } from '../errors';
import type { JobDefinition } from '../job/define-job';
import type { EnqueueOptions } from '../job/types';

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
  /** The transport's message id; absent when the job was captured (testing) rather than sent. */
  readonly messageId?: string;
  /** When the job becomes due (epoch ms). */
  readonly runAtMs: number;
}

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

import type { CancelResult, EnqueuedJob, JobRef, WaitForOptions, WaitOutcome } from '../client/types.js';
import type { ErrorSummary, FailureRecord } from '../envelope/envelope.js';
import type { JobRecord, JobStatus, ListQuery } from '../store/types.js';
import type { MoveTask, QueueCounts } from '../transport/admin-types.js';
import type { BatchPage, BatchView } from './batch-view.js';
import type { QueueConsumerView } from './queue-consumers.js';
import type { ScheduleList } from './schedule-source.js';
import type { StatsQuery, StatsReport } from './stats-types.js';

/** One queue as the CLI and dashboard show it. */
export interface QueueOverview extends QueueCounts {
  readonly queue: string;
  /** Jobs of the registry that run on it (empty without a registry). */
  readonly jobs: readonly string[];
  /** The flow control of those of its jobs that have any, by job name (`concurrency 1 per key`). */
  readonly limits?: Readonly<Record<string, string>>;
  /** Present while the queue is paused. */
  readonly paused?: PauseView;
}

/**
 * - `dead-letter`: written by wharf with its story (retries exhausted, permanent error, invalid payload...).
 * - `max-receives`: a plain envelope that SQS's redrive policy moved after maxReceiveCount receives, because no
 *   receive ended with an outcome wharf could record (a crash or timeout, a re-send or store write that failed, a
 *   delivery that never ran the job): the safety net. Not always a crash, so not called one.
 * - `poison`: not a usable envelope; the raw body is kept as evidence and the reason is in the attributes.
 */
export type DeadLetterKind = 'dead-letter' | 'max-receives' | 'poison';

export interface DeadLetterView {
  readonly queue: string;
  /** The queue service's id of the dead letter: what retry and discard select by (or the job id). */
  readonly messageId: string;
  readonly kind: DeadLetterKind;
  readonly jobId?: string;
  readonly jobName?: string;
  /** A DeadLetterReason code, or `max-receives` for kind `max-receives`. */
  readonly reason: string;
  readonly error?: ErrorSummary;
  readonly attempts?: number;
  readonly firstFailedAtMs?: number;
  /** When it failed for the last time (or entered the DLQ). */
  readonly failedAtMs: number;
  readonly createdAtMs?: number;
  readonly failures: readonly FailureRecord[];
  /** With the redacted fields replaced. Absent for poison. */
  readonly payload?: unknown;
  /** Poison only: the body as it arrived, the evidence. */
  readonly rawBody?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface DeadLetterList {
  readonly items: readonly DeadLetterView[];
  /** True when the DLQs hold more than the limit asked for. */
  readonly truncated: boolean;
  /** Move tasks of the queues listed, newest first (empty where the endpoint has none). */
  readonly moveTasks: readonly (MoveTask & { readonly queue: string })[];
}

export interface JobDetail {
  readonly record?: JobRecord;
  /** The record's payload, redacted; absent when the record did not keep it (larger than 4 KiB). */
  readonly payload?: unknown;
  /** Dead letters that carry this job id (looked up when the job is dead, or unknown to the store). */
  readonly deadLetters: readonly DeadLetterView[];
}

export interface JobPage {
  readonly records: readonly JobRecord[];
  readonly cursor?: string;
}

/**
 * How many job records have each status, from one walk of the job listing that stops after `maxRecords`: a
 * count on DynamoDB reads the records (there is no counter to ask), so a large table is counted in part, and
 * `complete` says so.
 */
export interface JobCounts {
  /** Every status, 0 where none was read. */
  readonly byStatus: Readonly<Record<JobStatus, number>>;
  /** Records read (live ones: records past their retention are not counted). */
  readonly read: number;
  /**
   * True when every record was read, so the counts are totals; false when the walk stopped first, so they count
   * the first `read` records in the listing's order (table order on DynamoDB): at least these many, not totals.
   */
  readonly complete: boolean;
}

/** Which dead letters an action applies to: some (by message id or job id) or all, in one queue or every queue. */
export type Selection =
  | { readonly queue?: string; readonly refs: readonly string[] }
  | { readonly queue?: string; readonly all: true };

/** `auto`: a move task for "all" where the endpoint has them, copy-then-delete otherwise. @default 'auto' */
export type RedriveMethod = 'auto' | 'move-task' | 'copy';

export interface BulkProgress {
  readonly queue: string;
  readonly done: number;
  readonly failed: number;
  /** Approximate; absent when unknown. */
  readonly total?: number;
}

export interface BulkOptions {
  readonly onProgress?: (progress: BulkProgress) => void;
  /** Messages per second for bulk actions (SQS's MaxNumberOfMessagesPerSecond for move tasks). */
  readonly maxPerSecond?: number;
  /** Wait for move tasks to finish. @default true */
  readonly waitForMoveTasks?: boolean;
  readonly signal?: AbortSignal;
}

export interface BulkItem {
  readonly queue: string;
  readonly messageId: string;
  readonly jobId?: string;
  /** Something the operator should know although the action went through. */
  readonly note?: string;
}

export interface BulkFailure {
  readonly queue?: string;
  readonly messageId?: string;
  readonly jobId?: string;
  /** A stable code: WHARF_INVALID_PAYLOAD, WHARF_BAD_ENVELOPE, WHARF_TRANSPORT, or the queue service's. */
  readonly code: string;
  readonly message: string;
}

export interface BulkReport {
  readonly action: 'retry' | 'discard';
  readonly method: 'copy' | 'move-task' | 'delete';
  readonly succeeded: readonly BulkItem[];
  readonly failed: readonly BulkFailure[];
  /** References (message or job ids) that matched no dead letter. */
  readonly notFound: readonly string[];
  /** Move tasks started (retry of all, where supported). */
  readonly moveTasks: readonly (MoveTask & { readonly queue: string })[];
  /** Why a move task was not used although one was asked for or possible. */
  readonly fallback?: string;
}

export interface EnqueueInput {
  readonly job: string;
  readonly payload: unknown;
  readonly delay?: string;
  readonly jobId?: string;
  /** The priority lane (the queue must declare it). @default the job's own `priority` */
  readonly priority?: string;
  /** Not started this long after it is due: recorded `expired`, never run (README "Expiry"). @default the job's */
  readonly expiresIn?: string;
}

/** The operations API the CLI and the dashboard share (DESIGN: they never touch an SDK themselves). */
export interface Ops {
  /** Jobs of the registry, by name (empty without one). */
  readonly jobNames: readonly string[];
  /** Whether job state can be read (a store is configured). */
  readonly hasStore: boolean;
  /** Now, on the clock ops reads (the embedded engine's may run ahead of the wall clock). */
  nowMs(): number;
  queues(): Promise<QueueOverview[]>;
  job(jobId: string): Promise<JobDetail>;
  jobs(query: ListQuery): Promise<JobPage>;
  /**
   * One batch's progress (README "Batches"): children ended of the total, counts per outcome, each callback and
   * where it stands. Throws NotFoundError (WHARF_NOT_FOUND) when there is no such batch, or its record expired.
   */
  batch(batchId: string): Promise<BatchView>;
  /**
   * Recent batches, newest first, a page at a time (`limit` 1 to 100, default 50); pass `cursor` back for the next.
   * On DynamoDB each page scans the table for batch records: an operator's listing, not for a hot path.
   */
  batches(query?: { readonly limit?: number; readonly cursor?: string }): Promise<BatchPage>;
  deadLetters(query?: { readonly queue?: string; readonly limit?: number }): Promise<DeadLetterList>;
  /** One dead letter by message id or job id; undefined when none matches. */
  deadLetter(ref: string, queue?: string): Promise<DeadLetterView | undefined>;
  retry(selection: Selection, options?: BulkOptions): Promise<BulkReport>;
  discard(selection: Selection, options?: BulkOptions): Promise<BulkReport>;
  schedules(): Promise<ScheduleList>;
  runSchedule(name: string): Promise<{ readonly jobId: string }>;
  enqueue(input: EnqueueInput): Promise<EnqueuedJob>;
  /**
   * Stops a job wherever it is (README "Cancel"), as `client.cancel` does: its pending schedule is deleted; a job
   * on its queue gets a cancellation its claim honours (acknowledged unrun, recorded `cancelled`); a running one
   * is marked, so its `ctx.signal` aborts at its next heartbeat where the adapter has one, and no retry starts.
   * The result says which happened, or why nothing could be stopped (`not-cancelled`, with the reason).
   */
  cancel(job: JobRef): Promise<CancelResult>;
  /** Waits for a job to end, as `client.waitFor` does (README "Waiting for a result"). */
  waitFor(job: JobRef, options?: WaitForOptions): Promise<WaitOutcome>;
  /** Job records by status (see JobCounts). @param options.maxRecords records read at most, 1 to 10,000 (default 1,000) */
  jobCounts(options?: { readonly maxRecords?: number }): Promise<JobCounts>;
  /**
   * Pauses a queue (the job table's pause, which worker processes and the engine honour, and on AWS its Lambda
   * event source mappings switched off), a job type (the job table's pause: its jobs are put off at claim) or a
   * recurring schedule (Scheduler's State DISABLED). Idempotent.
   */
  pause(target: Pausable, options?: { readonly reason?: string }): Promise<PauseReport>;
  /**
   * Per job type, over a window (the last hour by default): runs by outcome, p50 and p95 duration, retry rate and
   * cost per 1,000 runs at dated list prices, with a series for plotting (README "Stats and cost"). On AWS from
   * the workers' CloudWatch metrics; on the embedded engine from its own counts.
   */
  stats(query?: StatsQuery): Promise<StatsReport>;
  /** Undoes `pause`. Idempotent. */
  resume(target: Pausable): Promise<PauseReport>;
  /** Every paused queue, job type and recurring schedule. */
  listPauses(): Promise<readonly PauseView[]>;
}

/** What can be paused: a queue (nothing is taken from it), a job type (put off at claim), a recurring schedule. */
export interface Pausable {
  readonly kind: 'queue' | 'job' | 'schedule';
  /** The queue's or job's name, or the recurring task's key. */
  readonly name: string;
}

/** Something paused, and since when. */
export interface PauseView extends Pausable {
  /**
   * When it was paused. A schedule's is when Scheduler last changed it (it keeps no pause time of its own).
   * Absent when unknown.
   */
  readonly sinceMs?: number;
  readonly reason?: string;
}

/** What a pause or resume did. */
export interface PauseReport {
  readonly action: 'pause' | 'resume';
  readonly target: Pausable;
  /** False when it was already in that state: nothing changed. */
  readonly changed: boolean;
  /** The pause as it now stands; absent after a resume. */
  readonly pause?: PauseView;
  /** A queue on AWS: its Lambda event source mappings, switched off (pause) or on (resume). */
  readonly eventSourceMappings?: readonly QueueConsumerView[];
  /** Things the operator should know although it went through. */
  readonly notes: readonly string[];
}

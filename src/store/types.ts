import type { ErrorSummary, FailureRecord } from '../envelope/envelope.js';
import type {
  BatchListQuery,
  BatchRecord,
  CountBatchChildInput,
  CountBatchChildResult,
  CreateBatchInput,
  ResizeBatchInput,
  ResizeBatchResult,
} from './batch-types.js';
import type {
  CancelInput,
  CancelRequestResult,
  DebounceInput,
  DebounceWindow,
  SkipInput,
  TakeDebounceInput,
  TakeDebounceResult,
  UniqueInput,
  UniqueRef,
  UniqueResult,
} from './enqueue-control-types.js';
import type {
  PauseRecord,
  PauseTarget,
  SlotInput,
  SlotRef,
  SlotResult,
  ThrottleInput,
  ThrottleResult,
} from './flow-control-types.js';
import type { StepInput, StepMap, SuspendInput } from './step-types.js';

export type {
  BatchCallback,
  BatchCallbackKind,
  BatchListPosition,
  BatchListQuery,
  BatchOutcome,
  BatchRecord,
  CountBatchChildInput,
  CountBatchChildResult,
  CreateBatchInput,
  ResizeBatchInput,
  ResizeBatchResult,
} from './batch-types.js';
export type {
  CancelInput,
  CancelRequestResult,
  DebounceInput,
  DebounceWindow,
  SkipInput,
  TakeDebounceInput,
  TakeDebounceResult,
  UniqueInput,
  UniqueRef,
  UniqueResult,
} from './enqueue-control-types.js';
export type {
  PauseKind,
  PauseRecord,
  PauseTarget,
  SlotInput,
  SlotRef,
  SlotResult,
  ThrottleInput,
  ThrottleResult,
} from './flow-control-types.js';
export type { StepInput, StepMap, StoredStep, SuspendInput } from './step-types.js';

/** Every status a job record can have, in lifecycle order: the CLI's and the dashboard's filters list these. */
export const JOB_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'retrying',
  'dead',
  'discarded',
  'expired',
  'cancelled',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/** The state of one job, keyed by its producer-assigned id. */
export interface JobRecord {
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  readonly status: JobStatus;
  /** The attempt that ran last (or is running). */
  readonly attempt: number;
  /** Smallest envelope attempt that may claim the job next (set when a retry is scheduled). */
  readonly nextAttempt: number;
  /** Increases on every claim; completion must present the fence it claimed with. */
  readonly fence: number;
  readonly leaseExpiresAtMs?: number;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly startedAtMs?: number;
  readonly finishedAtMs?: number;
  readonly lastError?: ErrorSummary;
  readonly failures?: readonly FailureRecord[];
  /** The job's return value when small (JSON, at most RESULT_MAX_BYTES); otherwise omitted. */
  readonly result?: unknown;
  readonly progress?: { readonly done: number; readonly total?: number; readonly message?: string };
  /**
   * The payload as enqueued, for the CLI and dashboard, when its JSON is at most PAYLOAD_MAX_BYTES: kept small
   * because the item's size is what every later write of the record costs.
   */
  readonly payload?: unknown;
  /**
   * The payload's fingerprint (envelope/fingerprint.ts), written by an exactly-once claim: a later claim of the
   * same id with another payload is refused as `job-id-reused`. Absent on records written before it existed.
   */
  readonly payloadHash?: string;
  /**
   * Why the job is waiting without having run, and until when: a concurrency limit, a throttle or a pause put
   * it off (written best-effort, like progress; the CLI and dashboard show it). Cleared by the next claim or outcome.
   */
  readonly deferred?: DeferralNote;
  /**
   * When `cancel` asked for the job to stop (epoch ms): a record that is `cancelled` never runs; a running one
   * is told through `ctx.signal` where its adapter heartbeats, and no retry of it starts.
   */
  readonly cancelRequestedAtMs?: number;
  /** Why the job ended without running, for `expired` and `cancelled` (`expired 12s after it was due`). */
  readonly skippedReason?: string;
  /**
   * The durable steps and sleeps that completed, by name (README "Durable steps"): kept across retries,
   * takeovers and redrives, so a later run returns their results instead of running them again.
   */
  readonly steps?: StepMap;
  /** Epoch seconds after which the record counts as absent (DynamoDB TTL attribute). */
  readonly expiresAtSec: number;
}

/** Why and until when a job was put off without running (JobRecord.deferred). */
export interface DeferralNote {
  readonly why: DeferralWhy;
  /** When its message comes back to try again (epoch ms). */
  readonly untilMs: number;
  /** The limit's key when the job's limit has one (`acct-1`). */
  readonly key?: string;
  /** Times the job was put off so far. */
  readonly count: number;
}

/**
 * What put a job off: a concurrency limit, a throttle (its slot is `untilMs`), a paused job type or queue, or
 * the job's own `ctx.sleep` (it wakes at `untilMs`).
 */
export type DeferralWhy = 'concurrency' | 'throttle' | 'paused' | 'sleep';

export interface NoteDeferralInput {
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  /** The attempt of the message that will come back: a claim of it must still succeed. */
  readonly attempt: number;
  readonly createdAtMs: number;
  readonly nowMs: number;
  readonly expiresAtSec: number;
  readonly payload?: unknown;
  readonly note: DeferralNote;
}

export interface ClaimInput {
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  /** The attempt carried by the message. */
  readonly attempt: number;
  readonly nowMs: number;
  readonly leaseMs: number;
  /** A redriven dead letter may claim a job whose status is `dead`; its attempts start again at 1. */
  readonly isRedrive: boolean;
  /**
   * The message is the one that carried the job's earlier attempts, delivered again after waiting in place (a
   * FIFO queue retries and defers by visibility, never by sending a copy): its body still says the first attempt,
   * so the attempt comes from the record (`nextAttempt`), and a record that waits for a later attempt is this
   * message's, not a newer message's. @default false
   */
  readonly inPlace?: boolean;
  readonly expiresAtSec: number;
  /** Kept on the record when small (see JobRecord.payload). */
  readonly payload?: unknown;
  /** The payload's fingerprint: a record of this id with another one is not this job (see JobRecord.payloadHash). */
  readonly payloadHash?: string;
}

export type ClaimResult =
  /** The caller owns the job until `leaseExpiresAtMs`; `attempt` counts a crashed earlier run, if any. */
  | {
      readonly kind: 'claimed';
      readonly attempt: number;
      readonly fence: number;
      readonly leaseExpiresAtMs: number;
      /**
       * The record's steps, all of them (absent: it has none): a run replays them without reading the record.
       * An adapter whose claim cannot tell must read them before it answers.
       */
      readonly steps?: StepMap;
    }
  /** `cancel` asked for this job before it started (or during a run whose lease lapsed): never run it. */
  | { readonly kind: 'cancelled'; readonly record: JobRecord }
  /** Done before: return the stored outcome, do not run. */
  | { readonly kind: 'completed'; readonly record: JobRecord }
  /** Another run holds a live lease: try again after it expires; no attempt used. */
  | { readonly kind: 'busy'; readonly leaseExpiresAtMs: number }
  /** Dead or discarded, or a newer message already carries the job (stale duplicate): drop this message. */
  | { readonly kind: 'superseded'; readonly record: JobRecord }
  /**
   * The id is another job's (`job`: another job name), or this job's with another payload (`payload`): not a
   * duplicate, and not to be run over the other's record either. The engine dead-letters it as `job-id-reused`.
   */
  | { readonly kind: 'reused'; readonly record: JobRecord; readonly why: 'job' | 'payload' };

/** Identifies the run that writes: `fence` is required in exactly-once mode, absent in tracked mode. */
export interface RunRef {
  readonly jobId: string;
  readonly fence?: number;
  readonly nowMs: number;
}

export interface RecordStart {
  readonly jobName: string;
  readonly queue: string;
  readonly attempt: number;
  readonly createdAtMs: number;
  readonly startedAtMs: number;
  readonly expiresAtSec: number;
  /** Kept on the record when small (see JobRecord.payload). */
  readonly payload?: unknown;
}

export interface SucceededInput extends RunRef, RecordStart {
  readonly result?: unknown;
}

export interface FailedInput extends RunRef, RecordStart {
  readonly status: 'retrying' | 'dead' | 'discarded' | 'cancelled';
  readonly error: ErrorSummary;
  readonly failures: readonly FailureRecord[];
  /** For `retrying`: the attempt number of the retry message already sent. */
  readonly nextAttempt?: number;
}

export interface ListQuery {
  readonly status?: JobStatus;
  /** 1 to 100. @default 50 */
  readonly limit?: number;
  /** The `cursor` of the previous page, unchanged; absent on the last page. */
  readonly cursor?: string;
}

/**
 * The job-state port (DESIGN: store/). Speaks job semantics, not DynamoDB verbs. Every adapter passes
 * test/integration/store-conformance.
 *
 * Writes that carry `fence` fail with LeaseLostError (code WHARF_LEASE_LOST) when another run claimed the job
 * since. Infrastructure failures are rethrown as they are; the engine decides what they mean.
 */
export interface JobStore {
  /** exactly-once only: take the job's lease before running. One conditional write. */
  claim(input: ClaimInput): Promise<ClaimResult>;
  /** Records success: one write. Conditional on the fence when given. */
  succeed(input: SucceededInput): Promise<void>;
  /** Records a failed attempt (retrying, dead or discarded): one write. Conditional on the fence when given. */
  fail(input: FailedInput): Promise<void>;
  /**
   * Gives the lease back without using an attempt (shutdown, deadline too near): back to `queued`, with
   * `nextAttempt = attempt`. Pass the attempt of the message that will come back (ClaimInput.attempt): after a
   * takeover the claimed attempt is higher, and using it would make that message a stale duplicate and drop it.
   */
  release(ref: RunRef & { readonly fence: number; readonly attempt: number }): Promise<void>;
  /**
   * Pushes the lease of a long run further out. Says whether `cancel` asked the job to stop (the worker's
   * heartbeat then aborts `ctx.signal`).
   */
  extendLease(
    ref: RunRef & { readonly fence: number; readonly leaseExpiresAtMs: number },
  ): Promise<{ readonly cancelRequested: boolean }>;
  /**
   * Records the job's steps after one completed (README "Durable steps"). One write; conditional on the fence
   * when given (LeaseLostError when another run claimed the job since). Tracked mode upserts the record.
   */
  completeStep(input: StepInput): Promise<void>;
  /**
   * The run sleeps: records its steps and puts the record back to `queued` for the same attempt, with the wake
   * time as its deferral note. One write, fenced like `completeStep`.
   */
  suspend(input: SuspendInput): Promise<void>;
  /** Best-effort progress for the dashboard; never fenced, never fatal; ignored once the job has finished. */
  progress(jobId: string, progress: NonNullable<JobRecord['progress']>, nowMs: number): Promise<void>;
  get(jobId: string, nowMs: number): Promise<JobRecord | undefined>;
  /**
   * One page of live jobs. Failure-path statuses (`queued`, `retrying`, `dead`, `discarded`) and those of jobs
   * that ended without running (`expired`, `cancelled`) come newest first; `running`, `succeeded` and all jobs
   * together may come in any order (the DynamoDB adapter scans for them, and a page may then hold fewer than
   * `limit` records, even none, while a cursor follows). Walking every page lists each matching job once.
   */
  list(
    query: ListQuery,
    nowMs: number,
  ): Promise<{ readonly records: readonly JobRecord[]; readonly cursor?: string }>;

  // Flow control (README "Flow control"): engine decisions backed by conditional writes.

  /** Takes a slot of a concurrency limit, unless `limit` live holders have it. One conditional write when free. */
  acquireSlot(input: SlotInput): Promise<SlotResult>;
  /** Gives a slot back; a slot already gone (lease lapsed and taken over) is not an error. One write. */
  releaseSlot(ref: SlotRef): Promise<void>;
  /** Takes the next start of a throttle (now, or reserved for later). */
  takeThrottle(input: ThrottleInput): Promise<ThrottleResult>;
  /**
   * Best-effort: records on the job's record why it waits (JobRecord.deferred). Creates a `queued` record when
   * there is none; changes nothing on a record that is running or finished. Never fatal.
   */
  noteDeferral(input: NoteDeferralInput): Promise<void>;
  /** Every paused queue and job type. */
  listPauses(nowMs: number): Promise<readonly PauseRecord[]>;
  /** Pauses (`paused: true`) or resumes a queue or job type; idempotent. */
  setPause(
    target: PauseTarget,
    change: { readonly paused: boolean; readonly reason?: string },
    nowMs: number,
  ): Promise<void>;

  // Enqueue control (README "Unique jobs", "Debounce", "Expiry", "Cancel"): the client's and the engine's
  // decisions about what gets to run, backed by conditional writes.

  /** Takes a unique key for `holder`, unless a live lock of another job holds it. One conditional write. */
  acquireUnique(input: UniqueInput): Promise<UniqueResult>;
  /** Frees a unique key if `holder` still holds it (a newer holder's lock is left alone). One write. */
  releaseUnique(ref: UniqueRef): Promise<void>;
  /** Records an enqueue of a debounced key: its payload becomes the burst's latest. One write. */
  pushDebounce(input: DebounceInput): Promise<DebounceWindow>;
  /**
   * Asks whether the message carrying `token` runs its burst: it does when its token is the latest, or when the
   * burst is overdue (the latest payload runs, once: the take closes the burst). The message that took a burst,
   * delivered again, is answered `run` again, as the same job id (store/enqueue-control-decision.ts TakenBurst).
   * One conditional write.
   */
  takeDebounce(input: TakeDebounceInput): Promise<TakeDebounceResult>;
  /**
   * Records a job that ends without running (`expired`, or `cancelled` found at a claim-less start): creates the
   * record or moves a `queued`/`retrying` one; a record that started or finished is left alone (`started`).
   */
  recordSkipped(input: SkipInput): Promise<'recorded' | 'started'>;
  /** `cancel`: stops the job if it has not started, marks a running one, and says which. One conditional write. */
  requestCancel(input: CancelInput): Promise<CancelRequestResult>;
  /** The outbox relay: whether a job put in the outbox by a committed transaction is still to send. */
  outboxPending(jobId: string): Promise<boolean>;
  /** The outbox relay, after the send: the entry is done. A missing entry is not an error. */
  clearOutbox(jobId: string): Promise<void>;

  // Batches (README "Batches"): a record per batch, counted once per child; rules in store/batch-decision.ts.

  /** Creates a batch record before any child is sent; `exists` when the id is taken. One conditional write. */
  createBatch(input: CreateBatchInput): Promise<'created' | 'exists'>;
  /** Grows or shrinks an open batch (total and pending together); a finished batch is `closed`. One write. */
  resizeBatch(input: ResizeBatchInput): Promise<ResizeBatchResult>;
  /**
   * Counts a child's terminal outcome once: a child counted before is `already-counted` whatever outcome it
   * brings now. One transaction (the child's marker and the batch's counters).
   */
  countBatchChild(input: CountBatchChildInput): Promise<CountBatchChildResult>;
  /** Notes that a finished batch's callbacks were sent. Idempotent; one write. */
  markBatchCallbacksSent(batchId: string, nowMs: number): Promise<void>;
  getBatch(batchId: string, nowMs: number): Promise<BatchRecord | undefined>;
  /** Recent batches, newest first (the DynamoDB store scans for them: for the CLI and the dashboard). */
  listBatches(query: BatchListQuery, nowMs: number): Promise<readonly BatchRecord[]>;
}

export const RESULT_MAX_BYTES = 32_768;
export const PAYLOAD_MAX_BYTES = 4_096;

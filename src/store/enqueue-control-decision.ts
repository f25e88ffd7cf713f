import { isExpired } from './claim-decision.js';
import { UNKNOWN_JOB_NAME } from './record-change.js';
import type {
  CancelRequestResult,
  JobRecord,
  JobStatus,
  TakeDebounceInput,
  TakeDebounceResult,
  UniqueInput,
  UniqueResult,
} from './types.js';

// The rules of unique keys, debounced bursts and cancellation, applied to what an adapter read; the DynamoDB
// adapter evaluates the same rules in its condition expressions and applies these to the item a failed condition
// hands back, so both adapters answer alike (test/integration/store-enqueue-conformance.ts).

/** A unique key's lock as stored. */
export interface UniqueLock {
  readonly holder: string;
  readonly lockExpiresAtMs: number;
}

/** A lock is live strictly before its expiry; a retried enqueue of the holder itself takes it again. */
export function decideUnique(lock: UniqueLock | undefined, input: UniqueInput): UniqueResult {
  if (!lock || lock.lockExpiresAtMs <= input.nowMs || lock.holder === input.holder)
    return { kind: 'acquired' };
  return { kind: 'held', holder: lock.holder, lockExpiresAtMs: lock.lockExpiresAtMs };
}

/** A debounced burst as stored: the latest enqueue's token and payload, and the job id the burst runs as. */
export interface DebounceBurst {
  readonly token: string;
  readonly jobId: string;
  readonly payload: unknown;
  readonly firstAtMs: number;
  /** The latest enqueue's time: the burst is due `wait` after it. */
  readonly lastAtMs: number;
  readonly deadlineMs?: number;
  readonly count: number;
}

/**
 * How long past a burst's due time its latest message may still arrive (SQS delays and polling are not exact)
 * before an earlier message of the burst runs it instead.
 */
export const DEBOUNCE_GRACE_MS = 5_000;

/** When a burst is due: `wait` after its latest enqueue, or at its `maxWait` deadline if that is sooner. */
export function burstDueAtMs(burst: DebounceBurst, waitMs: number): number {
  return Math.min(burst.deadlineMs ?? Number.POSITIVE_INFINITY, burst.lastAtMs + waitMs);
}

/**
 * The message with the latest token runs its burst. An earlier message waits for the burst's due time and the
 * grace; by then the latest has run it (and the earlier one finds its burst gone), or the latest never arrived
 * and the earlier one runs the latest payload. Either way the burst runs once: the take closes it (TakenBurst).
 */
export function decideTakeDebounce(
  burst: DebounceBurst | undefined,
  input: TakeDebounceInput,
): TakeDebounceResult {
  if (!burst || burst.jobId !== input.jobId) return { kind: 'superseded' };
  const run = { kind: 'run', jobId: burst.jobId, payload: burst.payload, count: burst.count } as const;
  if (burst.token === input.token) return run;
  const untilMs = burstDueAtMs(burst, input.waitMs) + DEBOUNCE_GRACE_MS;
  return input.nowMs >= untilMs ? run : { kind: 'wait', untilMs };
}

/**
 * What a take that ran its burst leaves in the burst's place, until the next enqueue of the key opens another:
 * the message that took it, and what it ran. That message, delivered again (its worker died before the run was
 * recorded, or the take's answer was lost on the way), runs the burst again as the same job id, whose claim keeps
 * it to one run; finding its burst gone, it would be acknowledged and the burst never run. Every other message of
 * the burst is superseded. Once a new burst opens, its run carries the newer payload, which is what a debounced
 * job runs with anyway.
 */
export interface TakenBurst {
  readonly token: string;
  readonly jobId: string;
  readonly payload: unknown;
  readonly count: number;
}

/** The run, again, of a burst this very message took (TakenBurst); undefined for any other message. */
export function retakenRun(
  taken: TakenBurst | undefined,
  input: TakeDebounceInput,
): TakeDebounceResult | undefined {
  if (taken === undefined || taken.token !== input.token || taken.jobId !== input.jobId) return undefined;
  return { kind: 'run', jobId: taken.jobId, payload: taken.payload, count: taken.count };
}

/** Statuses that have not started: a cancellation makes them `cancelled`. */
export const CANCELLABLE_STATUSES: ReadonlySet<JobStatus> = new Set(['queued', 'retrying']);

/** Statuses that have ended: a cancellation changes nothing. */
export const FINISHED_STATUSES: ReadonlySet<JobStatus> = new Set([
  'succeeded',
  'dead',
  'discarded',
  'expired',
  'cancelled',
]);

/** What `cancel` finds: absent (never claimed yet) and waiting records are cancelled, a running one marked. */
export function decideCancel(record: JobRecord | undefined, nowMs: number): CancelRequestResult['kind'] {
  if (!record || isExpired(record, nowMs) || CANCELLABLE_STATUSES.has(record.status)) return 'cancelled';
  if (record.status === 'running') return 'running';
  return 'finished';
}

/**
 * A skip (expired, or cancelled) applies to a record that never started, and to a cancellation `cancel` wrote
 * before any run knew the job's name (the engine fills it in when the claim honours it).
 */
export function canSkip(record: JobRecord | undefined, nowMs: number): boolean {
  if (!record || isExpired(record, nowMs) || CANCELLABLE_STATUSES.has(record.status)) return true;
  return record.status === 'cancelled' && record.jobName === UNKNOWN_JOB_NAME;
}

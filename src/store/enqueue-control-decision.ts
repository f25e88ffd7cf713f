import { isExpired } from './claim-decision.js';
import { UNKNOWN_JOB_NAME } from './record-change.js';
import type { CancelRequestResult, JobRecord, JobStatus, TakeDebounceResult, UniqueInput, UniqueResult } from './types.js';

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
  if (!lock || lock.lockExpiresAtMs <= input.nowMs || lock.holder === input.holder) return { kind: 'acquired' };
  return { kind: 'held', holder: lock.holder, lockExpiresAtMs: lock.lockExpiresAtMs };
}

/** A debounced burst as stored: the latest enqueue's token and payload, and the job id the burst runs as. */
export interface DebounceBurst {
  readonly token: string;
  readonly jobId: string;
  readonly payload: unknown;
  readonly firstAtMs: number;
  readonly deadlineMs?: number;
  readonly count: number;
}

/**
 * The message with the latest token runs the burst. So does any message of a burst whose `maxWait` deadline has
 * passed (the latest payload, once: the take removes the burst); its latest message then finds none.
 */
export function decideTakeDebounce(
  burst: DebounceBurst | undefined,
  token: string,
  nowMs: number,
): TakeDebounceResult {
  if (!burst) return { kind: 'superseded' };
  const due = burst.token === token || (burst.deadlineMs !== undefined && burst.deadlineMs <= nowMs);
  if (!due) return { kind: 'superseded' };
  return { kind: 'run', jobId: burst.jobId, payload: burst.payload, count: burst.count };
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
export function decideCancel(
  record: JobRecord | undefined,
  nowMs: number,
): CancelRequestResult['kind'] {
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

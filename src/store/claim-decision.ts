import { UNKNOWN_JOB_NAME } from './record-change.js';
import type { ClaimInput, ClaimResult, JobRecord } from './types.js';

/** Why a claim may proceed; adapters write differently for each (one write for `absent` and `waiting`). */
export type ClaimGround =
  /** No record, or one past its retention: the job starts over as if never seen. */
  | 'absent'
  | 'expired'
  /** Queued or retrying and this message's attempt is due, or a dead job that an operator redrove. */
  | 'waiting'
  /** The run that held the lease stopped renewing it: it crashed or was killed. */
  | 'crashed';

export type ClaimDecision =
  | { readonly kind: 'claim'; readonly ground: ClaimGround; readonly attempt: number }
  | Exclude<ClaimResult, { readonly kind: 'claimed' }>;

/** Epoch seconds as DynamoDB TTL counts them. */
export function nowSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

/** TTL deletes up to 48 h late, so a record past `expiresAtSec` must already read as absent. */
export function isExpired(record: Pick<JobRecord, 'expiresAtSec'>, nowMs: number): boolean {
  return record.expiresAtSec < nowSeconds(nowMs);
}

/** A lease is live strictly before `leaseExpiresAtMs`; from that millisecond on, another run may take over. */
export function isLeaseLive(record: Pick<JobRecord, 'leaseExpiresAtMs'>, nowMs: number): boolean {
  return record.leaseExpiresAtMs !== undefined && nowMs < record.leaseExpiresAtMs;
}

/**
 * The claim rules of every adapter, applied to the record as it stands. The DynamoDB adapter evaluates the
 * `absent` and `waiting` grounds server-side in its condition expression and applies this function to the record
 * returned when that condition fails, so both adapters answer the same way.
 */
export function decideClaim(existing: JobRecord | undefined, input: ClaimInput): ClaimDecision {
  if (existing === undefined) return claim('absent', input.attempt);
  if (isExpired(existing, input.nowMs)) return claim('expired', input.attempt);
  // Before the reuse check: `cancel` writes its record before any run knew the job's name.
  if (existing.status === 'cancelled' && existing.jobName === UNKNOWN_JOB_NAME)
    return { kind: 'cancelled', record: existing };
  // Before any status: a succeeded record of another job must not make this one a "duplicate" and drop it.
  const reuse = reusedBy(existing, input);
  if (reuse) return { kind: 'reused', record: existing, why: reuse };
  switch (existing.status) {
    case 'succeeded':
      return { kind: 'completed', record: existing };
    case 'running':
      if (isLeaseLive(existing, input.nowMs))
        return { kind: 'busy', leaseExpiresAtMs: existing.leaseExpiresAtMs! };
      // Cancelled while it ran, then it crashed: the run that would take over is the retry `cancel` stops.
      if (existing.cancelRequestedAtMs !== undefined) return { kind: 'cancelled', record: existing };
      return claim('crashed', crashedRunAttempt(existing, input));
    case 'cancelled':
      return { kind: 'cancelled', record: existing };
    case 'expired':
      return { kind: 'superseded', record: existing };
    case 'dead':
      return input.isRedrive ? claim('waiting', input.attempt) : { kind: 'superseded', record: existing };
    case 'discarded':
      return { kind: 'superseded', record: existing };
    case 'queued':
    case 'retrying':
      // Cancelled while it ran, and it failed since: the retry is what `cancel` stops.
      if (existing.cancelRequestedAtMs !== undefined) return { kind: 'cancelled', record: existing };
      // A message older than `nextAttempt` is a duplicate of an attempt already decided; the newer message that
      // carries the job is in the queue, so this one can go.
      if (existing.nextAttempt <= input.attempt) return claim('waiting', input.attempt);
      // Unless no newer message exists: one that waits in place carries every attempt, the record counts them.
      if (input.inPlace) return claim('waiting', existing.nextAttempt);
      return { kind: 'superseded', record: existing };
    default:
      // A status this version does not know (a newer deploy wrote it): neither run nor drop, come back later.
      return { kind: 'busy', leaseExpiresAtMs: (existing as JobRecord).leaseExpiresAtMs ?? input.nowMs };
  }
}

/** Whether the record belongs to another job, or to this one enqueued with another payload. */
export function reusedBy(existing: JobRecord, input: ClaimInput): 'job' | 'payload' | undefined {
  if (existing.jobName !== input.jobName) return 'job';
  if (
    existing.payloadHash !== undefined &&
    input.payloadHash !== undefined &&
    existing.payloadHash !== input.payloadHash
  )
    return 'payload';
  return undefined;
}

/**
 * A crashed run counts as an attempt, or a job that kills its worker would run forever. The message may carry a
 * higher attempt than the record (the crash came after the retry was sent), and then that one wins. A redrive
 * starts over at the attempt it carries (the operator asked for a fresh run, and SQS's maxReceiveCount still
 * bounds a redriven job that keeps crashing), except when it waits in place, where it carries no attempt at all.
 */
function crashedRunAttempt(existing: JobRecord, input: ClaimInput): number {
  // In place, a redriven message that crashed is the redrive's own run coming back: it counts on from there.
  if (input.isRedrive && !input.inPlace) return input.attempt;
  return Math.max(existing.attempt + 1, input.attempt);
}

function claim(ground: ClaimGround, attempt: number): ClaimDecision {
  return { kind: 'claim', ground, attempt };
}

import { InvalidOptionsError } from '../errors.js';
import { callbackJobId, callbacksDue, isOpen } from '../store/batch-decision.js';
import type { BatchCallbackKind, BatchListPosition, BatchRecord } from '../store/batch-types.js';
import { decodeCursor, encodeCursor } from '../store/list-query.js';

/**
 * Where a callback stands: `waiting` for the batch to end, `sending` (the batch ended and this one is due, not yet
 * confirmed sent), `sent`, or `will-not-run` (the outcomes counted rule it out: an `onSuccess` after a child that
 * did not succeed, an `onDiscard` of a batch that ended with none dead or discarded).
 */
export type BatchCallbackState = 'waiting' | 'sending' | 'sent' | 'will-not-run';

export interface BatchCallbackView {
  readonly kind: BatchCallbackKind;
  readonly jobName: string;
  /** `<batchId>:<kind>`: the callback's job, to look up with `ops.job` once sent. */
  readonly jobId: string;
  readonly state: BatchCallbackState;
}

/**
 * A batch as operators see it: the record's counters, with the callbacks' envelopes (payloads an operator view
 * would have to redact) reduced to the job each one sends and where it stands.
 */
export interface BatchView {
  readonly batchId: string;
  readonly description?: string;
  readonly total: number;
  readonly pending: number;
  /** Children that reached a terminal outcome: `total - pending`. */
  readonly ended: number;
  readonly counts: BatchRecord['counts'];
  readonly callbacks: readonly BatchCallbackView[];
  readonly createdAtMs: number;
  readonly finishedAtMs?: number;
  readonly callbacksSentAtMs?: number;
  /** When the record is forgotten (its retention). */
  readonly expiresAtMs: number;
}

export interface BatchPage {
  readonly batches: readonly BatchView[];
  /** The next page's cursor, while there may be more. */
  readonly cursor?: string;
}

export function toBatchView(batch: BatchRecord): BatchView {
  const due = new Set(callbacksDue(batch).map((c) => c.kind));
  const stateOf = (kind: BatchCallbackKind): BatchCallbackState => {
    if (!isOpen(batch)) {
      if (!due.has(kind)) return 'will-not-run';
      return batch.callbacksSentAtMs === undefined ? 'sending' : 'sent';
    }
    // While open, onSuccess is already ruled out by any child that ended otherwise; the others can still come.
    const notSucceeded = batch.total - batch.pending - batch.counts.succeeded;
    return kind === 'onSuccess' && notSucceeded > 0 ? 'will-not-run' : 'waiting';
  };
  return {
    batchId: batch.batchId,
    ...(batch.description !== undefined ? { description: batch.description } : {}),
    total: batch.total,
    pending: batch.pending,
    ended: batch.total - batch.pending,
    counts: batch.counts,
    callbacks: batch.callbacks.map((c) => ({
      kind: c.kind,
      jobName: c.envelope.job,
      jobId: callbackJobId(batch.batchId, c.kind),
      state: stateOf(c.kind),
    })),
    createdAtMs: batch.createdAtMs,
    ...(batch.finishedAtMs !== undefined ? { finishedAtMs: batch.finishedAtMs } : {}),
    ...(batch.callbacksSentAtMs !== undefined ? { callbacksSentAtMs: batch.callbacksSentAtMs } : {}),
    expiresAtMs: batch.expiresAtSec * 1000,
  };
}

export const MAX_BATCH_PAGE = 100;

/** The page size asked for, checked: 1 to 100. @default 50 */
export function batchPageLimit(limit: number | undefined): number {
  const value = limit ?? 50;
  if (!Number.isInteger(value) || value < 1 || value > MAX_BATCH_PAGE) {
    throw new InvalidOptionsError('batch list query', [
      `limit must be an integer from 1 to ${MAX_BATCH_PAGE}, received ${String(limit)}`,
    ]);
  }
  return value;
}

export function encodeBatchCursor(last: BatchListPosition): string {
  return encodeCursor({ c: last.createdAtMs, b: last.batchId });
}

export function decodeBatchCursor(cursor: string): BatchListPosition {
  const state = decodeCursor(
    cursor,
    (s): s is { c: number; b: string } =>
      typeof s === 'object' &&
      s !== null &&
      typeof (s as { c?: unknown }).c === 'number' &&
      typeof (s as { b?: unknown }).b === 'string',
  );
  return { createdAtMs: state.c, batchId: state.b };
}

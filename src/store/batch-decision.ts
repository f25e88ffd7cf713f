import type {
  BatchCallback,
  BatchCallbackKind,
  BatchListPosition,
  BatchOutcome,
  BatchRecord,
  CreateBatchInput,
} from './batch-types.js';

// The pure rules of a batch, shared by the memory store and the DynamoDB store (whose conditions say the same).

export function newBatch(input: CreateBatchInput): BatchRecord {
  return {
    batchId: input.batchId,
    ...(input.description === undefined ? {} : { description: input.description }),
    total: input.total,
    pending: input.total,
    counts: { succeeded: 0, dead: 0, discarded: 0, expired: 0, cancelled: 0 },
    callbacks: input.callbacks,
    createdAtMs: input.nowMs,
    ...(input.total === 0 ? { finishedAtMs: input.nowMs } : {}),
    expiresAtSec: input.expiresAtSec,
  };
}

/** A batch is open while some child has not ended: only then can children join it. */
export function isOpen(batch: BatchRecord): boolean {
  return batch.pending > 0;
}

/**
 * A resize applies only to an open batch, and never takes `pending` below 0 (a shrink names children that were
 * never sent, so they cannot have been counted). Reaching 0 finishes the batch: the children that could not be
 * sent were the last it waited for.
 */
export function resizeBatch(batch: BatchRecord, delta: number, nowMs: number): BatchRecord | undefined {
  if (!isOpen(batch) || batch.pending + delta < 0) return undefined;
  const pending = batch.pending + delta;
  return { ...batch, total: batch.total + delta, pending, ...(pending === 0 ? { finishedAtMs: nowMs } : {}) };
}

/** One child's terminal outcome counted: pending goes down by one, the outcome's count up by one. */
export function countChild(batch: BatchRecord, outcome: BatchOutcome, nowMs: number): BatchRecord {
  const pending = Math.max(0, batch.pending - 1);
  return {
    ...batch,
    pending,
    counts: { ...batch.counts, [outcome]: batch.counts[outcome] + 1 },
    ...(pending === 0 && batch.finishedAtMs === undefined ? { finishedAtMs: nowMs } : {}),
  };
}

/**
 * The callbacks a finished batch runs: `onFinish` always, `onSuccess` when every child succeeded, `onDiscard`
 * when at least one ended dead or discarded (GoodJob's on_discard). An expired or cancelled child is neither a
 * success nor a discard: it keeps `onSuccess` from running and does not run `onDiscard`.
 */
export function callbacksDue(batch: BatchRecord): readonly BatchCallback[] {
  if (isOpen(batch)) return [];
  const due = new Set<BatchCallbackKind>(['onFinish']);
  if (batch.counts.succeeded === batch.total) due.add('onSuccess');
  if (batch.counts.dead + batch.counts.discarded > 0) due.add('onDiscard');
  return batch.callbacks.filter((c) => due.has(c.kind));
}

/** Finished with callbacks not yet confirmed sent: whoever sees this sends them (their job ids make it once). */
export function needsCallbacks(batch: BatchRecord): boolean {
  return !isOpen(batch) && batch.callbacksSentAtMs === undefined;
}

/** The deterministic job id of a batch's callback: a second send of it is the same job, claimed once. */
export function callbackJobId(batchId: string, kind: BatchCallbackKind): string {
  return `${batchId}:${kind}`;
}

/** A record past its TTL counts as absent, whether or not TTL has deleted it yet (TTL runs up to 48 h late). */
export function isBatchExpired(batch: BatchRecord, nowMs: number): boolean {
  return batch.expiresAtSec * 1000 <= nowMs;
}

/** The listing's order: newest first; the id breaks ties so that pages never skip or repeat a batch. */
export function batchListOrder(a: BatchListPosition, b: BatchListPosition): number {
  return b.createdAtMs - a.createdAtMs || (a.batchId < b.batchId ? 1 : a.batchId > b.batchId ? -1 : 0);
}

/** Whether a batch comes after `position` in the listing's order (every batch does without a position). */
export function isAfter(batch: BatchListPosition, position: BatchListPosition | undefined): boolean {
  return position === undefined || batchListOrder(position, batch) < 0;
}

import type { Envelope } from '../envelope/envelope.js';

// The inputs and answers of the JobStore's batch operations (README "Batches"), apart from the port itself so that
// src/store/types.ts stays one idea. The pure rules they follow are in batch-decision.ts.

/** The terminal outcomes a batch counts: each child is counted once, with the first one that became durable. */
export const BATCH_OUTCOMES = ['succeeded', 'dead', 'discarded', 'expired', 'cancelled'] as const;
export type BatchOutcome = (typeof BATCH_OUTCOMES)[number];

/** Which callback: `onSuccess` (every child succeeded), `onFinish` (every child ended), `onDiscard` (some did not). */
export const BATCH_CALLBACKS = ['onSuccess', 'onFinish', 'onDiscard'] as const;
export type BatchCallbackKind = (typeof BATCH_CALLBACKS)[number];

/** A callback as validated at enqueue: sent as it is, under the job id `<batchId>:<kind>`, when its batch ends. */
export interface BatchCallback {
  readonly kind: BatchCallbackKind;
  /** The transport address (a queue, or one of its lanes). */
  readonly address: string;
  readonly envelope: Envelope;
}

export interface BatchRecord {
  readonly batchId: string;
  readonly description?: string;
  /** Children ever in the batch (those added by children included, those that could not be sent taken out). */
  readonly total: number;
  /** Children that have not reached a terminal outcome yet. */
  readonly pending: number;
  readonly counts: Readonly<Record<BatchOutcome, number>>;
  readonly callbacks: readonly BatchCallback[];
  readonly createdAtMs: number;
  /** When `pending` reached 0. */
  readonly finishedAtMs?: number;
  /** When the callbacks due were confirmed sent (absent while they are still to send). */
  readonly callbacksSentAtMs?: number;
  /** Epoch seconds after which the record counts as absent (DynamoDB TTL attribute). */
  readonly expiresAtSec: number;
}

export interface CreateBatchInput {
  readonly batchId: string;
  readonly description?: string;
  readonly total: number;
  readonly callbacks: readonly BatchCallback[];
  readonly nowMs: number;
  readonly expiresAtSec: number;
}

/** Grows (`delta` > 0: a child adds jobs) or shrinks (`delta` < 0: children that could not be sent) an open batch. */
export interface ResizeBatchInput {
  readonly batchId: string;
  readonly delta: number;
  readonly nowMs: number;
}

export type ResizeBatchResult =
  | { readonly kind: 'resized'; readonly batch: BatchRecord }
  /** The batch has finished (or never existed): nothing can join it. */
  | { readonly kind: 'closed'; readonly batch?: BatchRecord };

export interface CountBatchChildInput {
  readonly batchId: string;
  readonly jobId: string;
  readonly outcome: BatchOutcome;
  readonly nowMs: number;
}

export type CountBatchChildResult =
  /**
   * Counted now; `batch` is the record as read after the count. `ended`: this count brought `pending` to 0, so its
   * caller sends the callbacks. Children counted at the same moment can read the record once it has finished;
   * only the one whose count finished it sends, so a batch's end sends its callbacks once, not once per reader.
   */
  | { readonly kind: 'counted'; readonly batch: BatchRecord; readonly ended: boolean }
  /** This child was counted before (its message delivered again): nothing changed. */
  | { readonly kind: 'already-counted'; readonly batch: BatchRecord }
  /** The batch had finished without this child (it was taken out as unsent, or the record was edited): not counted. */
  | { readonly kind: 'closed'; readonly batch: BatchRecord }
  /** No such batch (expired, or never created). */
  | { readonly kind: 'missing' };

export interface BatchListQuery {
  /** 1 to 100. @default 50 */
  readonly limit?: number;
  /** Only batches after this one in the listing's order (newest first, then by id): the next page. */
  readonly after?: BatchListPosition;
}

/** Where a page of the batch listing ended: its last batch's creation time and id. */
export interface BatchListPosition {
  readonly createdAtMs: number;
  readonly batchId: string;
}

import { batchListOrder, countChild, isAfter, isOpen, newBatch, resizeBatch } from './batch-decision.js';
import type { BatchRecord } from './batch-types.js';
import type { JobStore } from './types.js';

type BatchMethods = Pick<
  JobStore,
  'createBatch' | 'resizeBatch' | 'countBatchChild' | 'markBatchCallbacksSent' | 'getBatch' | 'listBatches'
>;

/**
 * Batches in memory, by the rules of batch-decision.ts, as the DynamoDB store keeps them: a record per batch and a
 * marker per counted child, so a child whose message comes twice is counted once.
 */
export function createMemoryBatches(): BatchMethods {
  const batches = new Map<string, BatchRecord>();
  const counted = new Set<string>();
  const live = (batchId: string, nowMs: number) => {
    const batch = batches.get(batchId);
    return batch && batch.expiresAtSec * 1000 > nowMs ? batch : undefined;
  };
  const copy = (batch: BatchRecord): BatchRecord => structuredClone(batch);
  return {
    async createBatch(input) {
      if (live(input.batchId, input.nowMs)) return 'exists';
      batches.set(input.batchId, newBatch(input));
      return 'created';
    },
    async resizeBatch({ batchId, delta, nowMs }) {
      const batch = live(batchId, nowMs);
      const next = batch && resizeBatch(batch, delta, nowMs);
      if (!next) return batch ? { kind: 'closed', batch: copy(batch) } : { kind: 'closed' };
      batches.set(batchId, next);
      return { kind: 'resized', batch: copy(next) };
    },
    async countBatchChild({ batchId, jobId, outcome, nowMs }) {
      const batch = live(batchId, nowMs);
      if (!batch) return { kind: 'missing' };
      const marker = `${batchId}/${jobId}`;
      if (counted.has(marker)) return { kind: 'already-counted', batch: copy(batch) };
      if (!isOpen(batch)) return { kind: 'closed', batch: copy(batch) };
      counted.add(marker);
      const next = countChild(batch, outcome, nowMs);
      batches.set(batchId, next);
      return { kind: 'counted', batch: copy(next), ended: next.pending === 0 };
    },
    async markBatchCallbacksSent(batchId, nowMs) {
      const batch = live(batchId, nowMs);
      if (batch && batch.callbacksSentAtMs === undefined)
        batches.set(batchId, { ...batch, callbacksSentAtMs: nowMs });
    },
    async getBatch(batchId, nowMs) {
      const batch = live(batchId, nowMs);
      return batch && copy(batch);
    },
    async listBatches(query, nowMs) {
      const limit = Math.min(100, Math.max(1, query.limit ?? 50));
      return [...batches.values()]
        .filter((b) => b.expiresAtSec * 1000 > nowMs && isAfter(b, query.after))
        .sort(batchListOrder)
        .slice(0, limit)
        .map(copy);
    },
  };
}

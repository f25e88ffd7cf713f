import { createMemoryJobStore } from '../store/memory-store.js';
import type { JobStore } from '../store/types.js';

/**
 * A memory job store that `clear()` can empty: the engine keeps the store it was built with, and a test that
 * clears expects a job id that ran before to run again, not to be taken for a duplicate.
 */
export function createResettableStore(): { readonly store: JobStore; reset(): void } {
  let current = createMemoryJobStore();
  const store: JobStore = {
    claim: (input) => current.claim(input),
    succeed: (input) => current.succeed(input),
    fail: (input) => current.fail(input),
    release: (ref) => current.release(ref),
    extendLease: (ref) => current.extendLease(ref),
    completeStep: (input) => current.completeStep(input),
    suspend: (input) => current.suspend(input),
    progress: (jobId, progress, nowMs) => current.progress(jobId, progress, nowMs),
    get: (jobId, nowMs) => current.get(jobId, nowMs),
    list: (query, nowMs) => current.list(query, nowMs),
    acquireSlot: (input) => current.acquireSlot(input),
    releaseSlot: (ref) => current.releaseSlot(ref),
    takeThrottle: (input) => current.takeThrottle(input),
    noteDeferral: (input) => current.noteDeferral(input),
    listPauses: (nowMs) => current.listPauses(nowMs),
    setPause: (target, change, nowMs) => current.setPause(target, change, nowMs),
    acquireUnique: (input) => current.acquireUnique(input),
    releaseUnique: (ref) => current.releaseUnique(ref),
    pushDebounce: (input) => current.pushDebounce(input),
    takeDebounce: (input) => current.takeDebounce(input),
    recordSkipped: (input) => current.recordSkipped(input),
    requestCancel: (input) => current.requestCancel(input),
    outboxPending: (jobId) => current.outboxPending(jobId),
    clearOutbox: (jobId) => current.clearOutbox(jobId),
    createBatch: (input) => current.createBatch(input),
    resizeBatch: (input) => current.resizeBatch(input),
    countBatchChild: (input) => current.countBatchChild(input),
    markBatchCallbacksSent: (batchId, nowMs) => current.markBatchCallbacksSent(batchId, nowMs),
    getBatch: (batchId, nowMs) => current.getBatch(batchId, nowMs),
    listBatches: (query, nowMs) => current.listBatches(query, nowMs),
  };
  return {
    store,
    reset: () => {
      current = createMemoryJobStore();
    },
  };
}

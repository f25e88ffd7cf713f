import type { JobStore } from '../store/types.js';
import { loadOnce } from './load-once.js';

/**
 * A job store built on its first call, from a client the composition root builds on first need. The runtime
 * imports the DynamoDB store statically (a worker's first job claims through it, so it loads at init) and ops
 * imports it on demand (most operator commands never read the table); both go through this one wrapper.
 */
export function createLazyJobStore(build: () => Promise<JobStore>): JobStore {
  const load = loadOnce(build);
  return {
    claim: async (input) => (await load()).claim(input),
    succeed: async (input) => (await load()).succeed(input),
    fail: async (input) => (await load()).fail(input),
    release: async (ref) => (await load()).release(ref),
    extendLease: async (ref) => (await load()).extendLease(ref),
    completeStep: async (input) => (await load()).completeStep(input),
    suspend: async (input) => (await load()).suspend(input),
    progress: async (jobId, progress, nowMs) => (await load()).progress(jobId, progress, nowMs),
    get: async (jobId, nowMs) => (await load()).get(jobId, nowMs),
    list: async (query, nowMs) => (await load()).list(query, nowMs),
    acquireSlot: async (input) => (await load()).acquireSlot(input),
    releaseSlot: async (ref) => (await load()).releaseSlot(ref),
    takeThrottle: async (input) => (await load()).takeThrottle(input),
    noteDeferral: async (input) => (await load()).noteDeferral(input),
    listPauses: async (nowMs) => (await load()).listPauses(nowMs),
    setPause: async (target, change, nowMs) => (await load()).setPause(target, change, nowMs),
    acquireUnique: async (input) => (await load()).acquireUnique(input),
    releaseUnique: async (ref) => (await load()).releaseUnique(ref),
    pushDebounce: async (input) => (await load()).pushDebounce(input),
    takeDebounce: async (input) => (await load()).takeDebounce(input),
    recordSkipped: async (input) => (await load()).recordSkipped(input),
    requestCancel: async (input) => (await load()).requestCancel(input),
    outboxPending: async (jobId) => (await load()).outboxPending(jobId),
    clearOutbox: async (jobId) => (await load()).clearOutbox(jobId),
    createBatch: async (input) => (await load()).createBatch(input),
    resizeBatch: async (input) => (await load()).resizeBatch(input),
    countBatchChild: async (input) => (await load()).countBatchChild(input),
    markBatchCallbacksSent: async (batchId, nowMs) => (await load()).markBatchCallbacksSent(batchId, nowMs),
    getBatch: async (batchId, nowMs) => (await load()).getBatch(batchId, nowMs),
    listBatches: async (query, nowMs) => (await load()).listBatches(query, nowMs),
  };
}

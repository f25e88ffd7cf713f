import {
  type DebounceBurst,
  decideTakeDebounce,
  decideUnique,
  type UniqueLock,
} from './enqueue-control-decision.js';
import type { JobStore } from './types.js';

type EnqueueControl = Pick<
  JobStore,
  'acquireUnique' | 'releaseUnique' | 'pushDebounce' | 'takeDebounce' | 'outboxPending' | 'clearOutbox'
>;

/** The outbox of a memory store: what `commitOutbox` of the embedded engine put there, by job id. */
export interface MemoryOutbox {
  add(jobId: string): void;
}

/**
 * Unique keys, debounced bursts and the outbox in memory, by the same rules (store/enqueue-control-decision.ts)
 * as the DynamoDB adapter; both pass test/integration/store-enqueue-conformance. Lapsed locks are replaced as
 * they are met, so the maps do not grow past the keys in use.
 */
export function createMemoryEnqueueControl(): EnqueueControl & { readonly outbox: MemoryOutbox } {
  const locks = new Map<string, UniqueLock>();
  const bursts = new Map<string, DebounceBurst>();
  const outbox = new Set<string>();
  return {
    async acquireUnique(input) {
      const result = decideUnique(locks.get(input.key), input);
      if (result.kind === 'acquired')
        locks.set(input.key, { holder: input.holder, lockExpiresAtMs: input.lockExpiresAtMs });
      return result;
    },
    async releaseUnique(ref) {
      if (locks.get(ref.key)?.holder === ref.holder) locks.delete(ref.key);
    },
    async pushDebounce(input) {
      const open = bursts.get(input.key);
      const burst: DebounceBurst = open
        ? {
            ...open,
            token: input.token,
            payload: structuredClone(input.payload),
            lastAtMs: input.nowMs,
            count: open.count + 1,
          }
        : {
            token: input.token,
            jobId: input.jobId,
            payload: structuredClone(input.payload),
            firstAtMs: input.nowMs,
            lastAtMs: input.nowMs,
            ...(input.deadlineMs === undefined ? {} : { deadlineMs: input.deadlineMs }),
            count: 1,
          };
      bursts.set(input.key, burst);
      return {
        jobId: burst.jobId,
        firstAtMs: burst.firstAtMs,
        ...(burst.deadlineMs === undefined ? {} : { deadlineMs: burst.deadlineMs }),
        count: burst.count,
      };
    },
    async takeDebounce(input) {
      const burst = bursts.get(input.key);
      const result = decideTakeDebounce(burst, input);
      if (result.kind === 'run') bursts.delete(input.key);
      return result.kind === 'run' ? { ...result, payload: structuredClone(result.payload) } : result;
    },
    async outboxPending(jobId) {
      return outbox.has(jobId);
    },
    async clearOutbox(jobId) {
      outbox.delete(jobId);
    },
    outbox: { add: (jobId) => void outbox.add(jobId) },
  };
}

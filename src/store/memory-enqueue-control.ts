import { isExpired } from './claim-decision.js';
import { debouncePayloadJson } from './debounce-payload.js';
import {
  type DebounceBurst,
  decideTakeDebounce,
  decideUnique,
  retakenRun,
  type TakenBurst,
  type UniqueLock,
} from './enqueue-control-decision.js';
import type { JobStore } from './types.js';

type EnqueueControl = Pick<
  JobStore,
  'acquireUnique' | 'releaseUnique' | 'pushDebounce' | 'takeDebounce' | 'outboxPending' | 'clearOutbox'
>;

/** A burst with the TTL its latest enqueue gave it. */
type StoredBurst = DebounceBurst & { readonly expiresAtSec: number };

function liveBurst<T extends { readonly expiresAtSec: number }>(
  burst: T | undefined,
  nowMs: number,
): T | undefined {
  return burst !== undefined && !isExpired(burst, nowMs) ? burst : undefined;
}

/**
 * Unique keys and debounced bursts in memory, by the same rules (store/enqueue-control-decision.ts)
 * as the DynamoDB adapter; both pass test/integration/store-enqueue-conformance. Lapsed locks are replaced as
 * they are met, so the maps do not grow past the keys in use.
 */
export function createMemoryEnqueueControl(): EnqueueControl {
  const locks = new Map<string, UniqueLock>();
  const bursts = new Map<string, StoredBurst>();
  /** The run the last take of a key started, until the key's next enqueue (TakenBurst). */
  const taken = new Map<string, TakenBurst & { readonly expiresAtSec: number }>();
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
      const json = debouncePayloadJson(input.key, input.payload);
      const payload = json === undefined ? undefined : JSON.parse(json);
      // A burst past its TTL is closed, as the DynamoDB adapter reads it (TTL deletes up to 48 h late).
      const open = liveBurst(bursts.get(input.key), input.nowMs);
      const burst: StoredBurst = open
        ? {
            ...open,
            token: input.token,
            payload,
            lastAtMs: input.nowMs,
            // A burst opened without a deadline takes one from a later enqueue (DynamoDB's if_not_exists).
            ...(open.deadlineMs === undefined && input.deadlineMs !== undefined
              ? { deadlineMs: input.deadlineMs }
              : {}),
            count: open.count + 1,
            expiresAtSec: input.expiresAtSec,
          }
        : {
            token: input.token,
            jobId: input.jobId,
            payload,
            firstAtMs: input.nowMs,
            lastAtMs: input.nowMs,
            ...(input.deadlineMs === undefined ? {} : { deadlineMs: input.deadlineMs }),
            count: 1,
            expiresAtSec: input.expiresAtSec,
          };
      bursts.set(input.key, burst);
      taken.delete(input.key);
      return {
        jobId: burst.jobId,
        firstAtMs: burst.firstAtMs,
        ...(burst.deadlineMs === undefined ? {} : { deadlineMs: burst.deadlineMs }),
        count: burst.count,
      };
    },
    async takeDebounce(input) {
      const burst = liveBurst(bursts.get(input.key), input.nowMs);
      const again = burst ? undefined : retakenRun(liveBurst(taken.get(input.key), input.nowMs), input);
      const result = again ?? decideTakeDebounce(burst, input);
      if (burst && result.kind === 'run') {
        bursts.delete(input.key);
        const { jobId, payload, count, expiresAtSec } = burst;
        taken.set(input.key, { token: input.token, jobId, payload, count, expiresAtSec });
      }
      return result.kind === 'run' ? { ...result, payload: structuredClone(result.payload) } : result;
    },
    // No transaction of a caller writes a memory store, so it never holds an outbox entry: the embedded
    // engine keeps its outbox beside its queues (local/local-outbox.ts), and a relay given this store sends nothing.
    async outboxPending() {
      return false;
    },
    async clearOutbox() {},
  };
}

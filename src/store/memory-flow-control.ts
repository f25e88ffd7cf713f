import { decideSlot, liveHolders, takeStart } from './flow-decision.js';
import type { JobStore, PauseRecord } from './types.js';

type FlowControl = Pick<JobStore, 'acquireSlot' | 'releaseSlot' | 'takeThrottle' | 'listPauses' | 'setPause'>;

/**
 * Concurrency slots, throttles and pauses in memory, by the same rules (store/flow-decision.ts) as the DynamoDB
 * adapter; both pass test/integration/store-conformance. Lapsed holders are dropped as they are met, so a crashed
 * run's slot frees when its lease ends and the map does not grow.
 */
export function createMemoryFlowControl(): FlowControl {
  const slots = new Map<string, Record<string, number>>();
  const throttles = new Map<string, number>();
  const pauses = new Map<string, PauseRecord>();
  return {
    async acquireSlot(input) {
      const holders = Object.fromEntries(liveHolders(slots.get(input.key) ?? {}, input.nowMs));
      const result = decideSlot(holders, input);
      if (result.kind === 'acquired') holders[input.holder] = input.leaseExpiresAtMs;
      slots.set(input.key, holders);
      return result;
    },
    async releaseSlot(ref) {
      const holders = slots.get(ref.key);
      if (!holders) return;
      delete holders[ref.holder];
      if (Object.keys(holders).length === 0) slots.delete(ref.key);
    },
    async takeThrottle(input) {
      const { result, tatMs } = takeStart(throttles.get(input.key), input);
      throttles.set(input.key, tatMs);
      return result;
    },
    async listPauses() {
      return [...pauses.values()].map((pause) => ({ ...pause }));
    },
    async setPause(target, change, nowMs) {
      const id = `${target.kind}:${target.name}`;
      if (!change.paused) pauses.delete(id);
      else if (!pauses.has(id))
        pauses.set(id, { ...target, sinceMs: nowMs, ...(change.reason ? { reason: change.reason } : {}) });
    },
  };
}

import type { JobStore } from '../types.js';
import type { DynamoContext } from './dynamodb-context.js';
import { noteDeferral } from './dynamodb-deferral.js';
import { listPauses, setPause } from './dynamodb-pauses.js';
import { giveSlotBack, takeSlot } from './dynamodb-slots.js';
import { LastTats, takeThrottle } from './dynamodb-throttle.js';

type FlowControl = Pick<
  JobStore,
  'acquireSlot' | 'releaseSlot' | 'takeThrottle' | 'noteDeferral' | 'listPauses' | 'setPause'
>;

/**
 * Concurrency slots, throttles, pauses and deferral notes in the job table, by the same rules
 * (store/flow-decision.ts, store/record-change.ts) as the memory adapter; both pass
 * test/integration/store-conformance. Items and their TTLs: flow-item.ts.
 */
export function createDynamoFlowControl(ctx: DynamoContext): FlowControl {
  const lastTats = new LastTats();
  return {
    acquireSlot: (input) => takeSlot(ctx, input),
    releaseSlot: (ref) => giveSlotBack(ctx, ref),
    takeThrottle: (input) => takeThrottle(ctx, input, lastTats),
    noteDeferral: (input) => noteDeferral(ctx, input),
    listPauses: () => listPauses(ctx),
    setPause: (target, change, nowMs) => setPause(ctx, target, change, nowMs),
  };
}

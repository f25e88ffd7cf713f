import type { JobStore } from '../types.js';
import { recordSkipped, requestCancel } from './dynamodb-cancel.js';
import type { DynamoContext } from './dynamodb-context.js';
import { pushDebounce, takeDebounce } from './dynamodb-debounce.js';
import { clearOutbox, outboxPending } from './dynamodb-outbox.js';
import { acquireUnique, releaseUnique } from './dynamodb-unique.js';

type EnqueueControl = Pick<
  JobStore,
  | 'acquireUnique'
  | 'releaseUnique'
  | 'pushDebounce'
  | 'takeDebounce'
  | 'recordSkipped'
  | 'requestCancel'
  | 'outboxPending'
  | 'clearOutbox'
>;

/**
 * Unique keys, debounced bursts, skips, cancellations and the outbox in the job table, by the same rules
 * (store/enqueue-control-decision.ts, store/record-change.ts) as the memory adapter; both pass
 * test/integration/store-enqueue-conformance. Items and their TTLs: enqueue-item.ts and outbox-item.ts.
 */
export function createDynamoEnqueueControl(ctx: DynamoContext): EnqueueControl {
  return {
    acquireUnique: (input) => acquireUnique(ctx, input),
    releaseUnique: (ref) => releaseUnique(ctx, ref),
    pushDebounce: (input) => pushDebounce(ctx, input),
    takeDebounce: (input) => takeDebounce(ctx, input),
    recordSkipped: (input) => recordSkipped(ctx, input),
    requestCancel: (input) => requestCancel(ctx, input),
    outboxPending: (jobId) => outboxPending(ctx, jobId),
    clearOutbox: (jobId) => clearOutbox(ctx, jobId),
  };
}

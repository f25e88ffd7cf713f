import { callbacksDue, needsCallbacks } from '../store/batch-decision.js';
import type { BatchRecord, JobStore } from '../store/types.js';
import { type DispatchPorts, dispatch, type SchedulerFailurePolicy } from './dispatch.js';

/**
 * Sends a finished batch's callbacks that are due (store/batch-decision.ts callbacksDue), then marks them sent.
 * Whoever saw the batch finish calls this: the child whose count made pending 0, or the producer whose unsent
 * children were the last. A crash between the count and the send leaves the mark unset, so the child's message,
 * coming back, sends again; each callback keeps its job id (`<batchId>:<kind>`) and is claimed exactly once, so a
 * second send runs nothing twice. Returns false when a send was not confirmed (the caller lets its message come
 * back, or says so).
 */
export async function sendBatchCallbacks(
  ports: DispatchPorts & { readonly store: JobStore },
  batch: BatchRecord,
  policy: SchedulerFailurePolicy,
): Promise<boolean> {
  if (!needsCallbacks(batch)) return true;
  const now = ports.clock.nowMs();
  const due = callbacksDue(batch);
  const outcomes = await dispatch(
    ports,
    due.map((c) => ({ queue: c.address, envelope: { ...c.envelope, enqueuedAtMs: now } })),
    policy,
  );
  if (!outcomes.every((o) => o.ok)) return false;
  await ports.store.markBatchCallbacksSent(batch.batchId, now);
  return true;
}

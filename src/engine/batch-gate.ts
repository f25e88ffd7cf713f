import { addToOpenBatch } from '../client/perform-batch.js';
import { sendBatchCallbacks } from '../dispatch/batch-callbacks.js';
import { type Envelope, summarizeError } from '../envelope/envelope.js';
import { EnqueueFailedError } from '../errors.js';
import type { JobBatch } from '../job/types.js';
import type { BatchOutcome, JobStatus } from '../store/types.js';
import { release } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { AckOutcome, Disposition, RunState } from './types.js';

// Batches (README "Batches"): the engine's side. A child's terminal outcome, once durable, is counted in its batch
// before its message is acked; the count that ends the batch sends the callbacks.

/** `ctx.batch`: the batch a job is a child or a callback of. */
export function batchContext(envelope: Envelope): JobBatch | undefined {
  const id = envelope.batch ?? envelope.callbackOf;
  if (id === undefined) return undefined;
  return {
    id,
    async add(requests) {
      const result = await addToOpenBatch(id, requests);
      if (result.failed.length > 0)
        throw new EnqueueFailedError(
          `${result.failed.length} of ${requests.length} jobs could not be added to batch ${JSON.stringify(id)} (taken out of it again): ${result.failed.map((f) => f.error.message).join('; ')}`,
        );
      return [...result.enqueued, ...result.duplicates];
    },
  };
}

const COUNTED: Partial<Record<AckOutcome, BatchOutcome>> = {
  succeeded: 'succeeded',
  'dead-lettered': 'dead',
  discarded: 'discarded',
  expired: 'expired',
  cancelled: 'cancelled',
};

const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'dead', 'discarded', 'expired', 'cancelled']);

/**
 * Counts a batch child whose outcome is durable (the disposition acks it), then sends the callbacks if that count
 * ended the batch. A message that comes again finds its child counted (`already-counted`) and only sends the
 * callbacks if they are still unsent: a crash between the count and the send loses nothing. When the count or the
 * send fails, the message is released: it comes back and does the rest then.
 */
export async function countInBatch(
  o: ResolvedEngineOptions,
  state: Pick<RunState, 'message' | 'envelope'>,
  disposition: Disposition,
): Promise<Disposition> {
  const batchId = state.envelope.batch;
  const store = o.store;
  if (batchId === undefined || disposition.action !== 'ack' || !store) return disposition;
  try {
    const outcome = await terminalOutcome(o, state.envelope.id, disposition.outcome);
    if (!outcome) return disposition;
    const nowMs = o.clock.nowMs();
    const counted = await store.countBatchChild({ batchId, jobId: state.envelope.id, outcome, nowMs });
    if (counted.kind === 'missing' || counted.kind === 'closed') {
      // The record expired, or the batch ended without this child (edited by hand): nothing left to count in,
      // and keeping the message would not change that.
      return disposition;
    }
    // Another child's count finished the batch: its caller sends the callbacks (or its message, coming back, does).
    if (counted.kind === 'counted' && !counted.ended) return disposition;
    const sent = await sendBatchCallbacks({ ...o, store }, counted.batch, 'hop');
    return sent ? disposition : release(o, state, `the callbacks of batch ${batchId} could not be sent`);
  } catch (error) {
    return release(o, state, `could not count the job in batch ${batchId}`, summarizeError(error));
  }
}

/**
 * The outcome to count: the run's own, or, for a delivery that found the job done before (a duplicate, a stale
 * copy), the one its record holds, so a message that came back after a failed count still counts its child.
 */
async function terminalOutcome(
  o: ResolvedEngineOptions,
  jobId: string,
  outcome: AckOutcome,
): Promise<BatchOutcome | undefined> {
  const direct = COUNTED[outcome];
  if (direct) return direct;
  if (outcome !== 'duplicate' && outcome !== 'superseded') return undefined;
  const record = await o.store?.get(jobId, o.clock.nowMs());
  return record && TERMINAL.has(record.status) ? (record.status as BatchOutcome) : undefined;
}

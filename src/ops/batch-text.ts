import type { BatchOutcome } from '../store/batch-types.js';
import { BATCH_OUTCOMES } from '../store/batch-types.js';
import type { BatchCallbackState, BatchView } from './batch-view.js';

const CALLBACK_STATE_TEXT: Readonly<Record<BatchCallbackState, string>> = {
  waiting: 'waits for the batch to end',
  sending: 'due, not yet confirmed sent',
  sent: 'sent',
  'will-not-run': 'will not run',
};

/** `34 succeeded, 3 dead`: the outcomes counted so far, those with none left out (`none yet` before the first). */
export function batchCountsText(batch: Pick<BatchView, 'counts'>): string {
  const parts = BATCH_OUTCOMES.filter((o: BatchOutcome) => batch.counts[o] > 0).map(
    (o) => `${batch.counts[o]} ${o}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'none yet';
}

/** `onFinish sent, onSuccess will not run` (`no callbacks` for a batch without any). */
export function batchCallbacksText(batch: Pick<BatchView, 'callbacks'>): string {
  if (batch.callbacks.length === 0) return 'no callbacks';
  return batch.callbacks.map((c) => `${c.kind} ${CALLBACK_STATE_TEXT[c.state]}`).join(', ');
}

/**
 * A batch's progress in one line, as the CLI and the dashboard both print it:
 * `37/100 ended: 34 succeeded, 3 dead; onFinish sent, onSuccess will not run`.
 */
export function batchProgressText(batch: BatchView): string {
  return `${batch.ended}/${batch.total} ended: ${batchCountsText(batch)}; ${batchCallbacksText(batch)}`;
}

/** `open`, or `finished` once every child has ended. */
export function batchStateText(batch: Pick<BatchView, 'pending'>): string {
  return batch.pending > 0 ? 'open' : 'finished';
}

import { appendFailure, summarizeError } from '../envelope/envelope.js';
import { hasCode, JobCancelledError } from '../errors.js';
import { emit, recordStart, release } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { Disposition, ProcessOptions, RunState } from './types.js';

/**
 * Watches a running job for `cancel` (README "Cancel"). Only a run still going after its first moments is
 * watched (runAttempt's slow path starts it), so a quick job costs no timer and no read.
 */
export interface AttemptWatch {
  /** Starts watching; `abort` ends the attempt with the cancellation. Stops by itself when `settled` aborts. */
  start(abort: (reason: unknown) => void, settled: AbortSignal): void;
  /** Whether the watch aborted the run. */
  cancelled(): boolean;
}

/**
 * The watch of a run whose adapter asks for one (the worker process: `cancelCheck`), on a job whose record
 * `cancel` can mark: one read of the record every interval while it runs. On Lambda there is none: a run is
 * short, and a cancellation still stops every retry at its claim.
 */
export function cancelWatch(
  o: ResolvedEngineOptions,
  state: RunState,
  _p: ProcessOptions,
): AttemptWatch | undefined {
  const store = o.store;
  const everyMs = o.cancelCheckMs;
  if (!store || everyMs === undefined || state.job.options.idempotency === 'off') return undefined;
  let cancelled = false;
  return {
    cancelled: () => cancelled,
    start(abort, settled) {
      const loop = async () => {
        while (!settled.aborted) {
          try {
            await o.clock.sleep(everyMs, settled);
          } catch {
            return;
          }
          const record = await store.get(state.envelope.id, o.clock.nowMs()).catch(() => undefined);
          if (record?.cancelRequestedAtMs !== undefined && !settled.aborted) {
            cancelled = true;
            abort(new JobCancelledError(state.envelope.id));
            return;
          }
        }
      };
      void loop();
    },
  };
}

/**
 * The run ended after `cancel` aborted it (or crashed after `cancel` marked it, and the claim of its return
 * found that): recorded `cancelled` under the run's fence, never retried, whatever it threw.
 */
export async function recordCancelled(
  o: ResolvedEngineOptions,
  state: RunState,
  thrown: unknown,
): Promise<Disposition> {
  const error = summarizeError(
    hasCode(thrown, 'WHARF_CANCELLED') ? thrown : new JobCancelledError(state.envelope.id),
  );
  if (o.store && state.job.options.idempotency !== 'off') {
    const now = o.clock.nowMs();
    try {
      await o.store.fail({
        ...recordStart(o, state),
        jobId: state.envelope.id,
        fence: state.fence,
        nowMs: now,
        status: 'cancelled',
        error,
        failures: appendFailure(state.envelope.failures, { attempt: state.attempt, atMs: now, error }),
      });
    } catch (cause) {
      if (hasCode(cause, 'WHARF_LEASE_LOST')) {
        emit(o, state, { type: 'lease-lost' });
        return { action: 'ack', outcome: 'lease-lost' };
      }
      return release(o, state, 'could not record the cancellation', summarizeError(cause), cause);
    }
  }
  emit(o, state, { type: 'cancelled', whileRunning: true });
  return { action: 'ack', outcome: 'cancelled' };
}

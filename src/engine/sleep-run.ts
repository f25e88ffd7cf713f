import type { Envelope } from '../envelope/envelope.js';
import { hasCode } from '../errors.js';
import { emit, recordStart, release, sendLater } from './outcomes.js';
import type { ResolvedEngineOptions } from './resolve-options.js';
import type { SleepRequest } from './step-journal.js';
import type { Disposition, RunState } from './types.js';
import { waitInPlace, waitsInPlace } from './wait-in-place.js';

/**
 * A run that sleeps (README "Durable sleeps"): the record first (its steps with the sleep, back to `queued` for
 * the same attempt), then the wake message through the delay path every deferral takes (SQS up to 15 minutes, a
 * schedule or SQS hops beyond), then the ack. A crash before the send leaves the message to come back: it replays
 * the steps, finds the sleep with its wake time, and sends the wake then. No attempt is used: the wake message
 * carries the same one, and the record waits for it.
 */
export async function sleepRun(
  o: ResolvedEngineOptions,
  state: RunState,
  request: SleepRequest,
): Promise<Disposition> {
  const now = o.clock.nowMs();
  const delayMs = Math.max(0, request.wakeAtMs - now);
  const deferrals = (state.envelope.deferrals ?? 0) + 1;
  if (o.store) {
    try {
      await o.store.suspend({
        ...recordStart(o, state),
        jobId: state.envelope.id,
        fence: state.fence,
        nowMs: now,
        steps: request.steps,
        untilMs: request.wakeAtMs,
        deferrals,
      });
    } catch (error) {
      if (hasCode(error, 'WHARF_LEASE_LOST')) {
        emit(o, state, { type: 'lease-lost' });
        return { action: 'ack', outcome: 'lease-lost' };
      }
      return release(o, state, 'could not record the sleep');
    }
  }
  emit(o, state, { type: 'sleeping', untilMs: request.wakeAtMs, delayMs });
  // A FIFO message waits in place (its group behind it); a wake beyond SQS's 12 hours comes back early, replays
  // to the sleep, finds it not due yet, and waits again.
  if (waitsInPlace(state)) return waitInPlace(o, state.startedAtMs, 'deferred', delayMs);
  const { deadLetter: _redriven, reservedStartMs: _spent, ...rest } = state.envelope;
  const wake: Envelope = {
    ...rest,
    attempt: state.attempt,
    enqueuedAtMs: now,
    runAtMs: request.wakeAtMs,
    deferrals,
  };
  if (!(await sendLater(o, state.message.queue, wake)))
    return release(o, state, 'could not send the wake message of a sleep');
  return { action: 'ack', outcome: 'sleeping' };
}

import type { ResolvedEngineOptions } from './resolve-options.js';
import type { Disposition, RunState, WaitOutcome } from './types.js';

/**
 * SQS keeps a message invisible for at most 12 hours from when it was received (ChangeMessageVisibility counts
 * the total). A wait in place is capped below that, less the time the run took and a margin for the call itself:
 * a longer backoff on a FIFO queue is cut to about 12 hours (the body, unchanged, cannot say when it is due).
 */
export const MAX_VISIBILITY_SECONDS = 43_200;
const VISIBILITY_MARGIN_SECONDS = 60;

/**
 * FIFO queues keep order by holding a group behind its oldest message, and have no per-message delay: a copy sent
 * to run later would go to the back of its group and run after messages enqueued after it. So on a FIFO queue the
 * engine never sends a copy: the message itself waits, made visible again after the delay, and the job store
 * carries what the copy would have (the failure, the next attempt).
 */
export function waitsInPlace(state: Pick<RunState, 'message'>): boolean {
  return state.message.fifo === true;
}

/** How long a message may wait in place from now, in whole seconds (at least 1: the message must leave the run). */
export function visibilityFor(o: ResolvedEngineOptions, startedAtMs: number, delayMs: number): number {
  const ranSeconds = Math.ceil(Math.max(0, o.clock.nowMs() - startedAtMs) / 1000);
  const cap = Math.max(1, MAX_VISIBILITY_SECONDS - ranSeconds - VISIBILITY_MARGIN_SECONDS);
  return Math.min(cap, Math.max(1, Math.ceil(delayMs / 1000)));
}

/** The message waits in place, visible again after `delayMs` (capped): its group stays behind it. */
export function waitInPlace(
  o: ResolvedEngineOptions,
  startedAtMs: number,
  outcome: WaitOutcome,
  delayMs: number,
): Disposition {
  return { action: 'wait', outcome, visibleInSeconds: visibilityFor(o, startedAtMs, delayMs) };
}

/**
 * Times the message was put off so far. A copy counts them in its envelope; a message waiting in place keeps its
 * body, so its receives stand in for them (a crashed run also counts, which only lengthens the next wait).
 */
export function deferralsSoFar(state: Pick<RunState, 'message' | 'envelope'>): number {
  if (waitsInPlace(state)) return Math.max(0, state.message.receiveCount - 1);
  return state.envelope.deferrals ?? 0;
}

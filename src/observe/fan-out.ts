import { type JobEventListener, safeEmit } from '../engine/events.js';

/**
 * One listener from several (the user's `onEvent`, the lifecycle log lines, the metrics, the traces): each gets
 * every event, and one that throws cannot keep it from the others. With one or none, that one itself: no extra
 * call per event on the hot path.
 */
export function fanOut(listeners: readonly (JobEventListener | undefined)[]): JobEventListener | undefined {
  const present = listeners.filter((l): l is JobEventListener => l !== undefined);
  if (present.length <= 1) return present[0];
  return (event) => {
    for (const listener of present) safeEmit(listener, event);
  };
}

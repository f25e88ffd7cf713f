import { MAX_SCHEDULE_INPUT_BYTES } from '../types.js';

/**
 * Whether EventBridge Scheduler can deliver a body of `bodyBytes` to `queue`: the queue has ARNs (FIFO queues
 * have none) and the body fits a schedule's Input. Apart from the adapter so that a scheduler loaded on first
 * need can answer this synchronously, without loading it.
 */
export function schedulerAccepts(
  queues: Readonly<Record<string, unknown>>,
  queue: string,
  bodyBytes: number,
): boolean {
  // Own properties only: a queue named "constructor" must not find Object.prototype's.
  return Object.hasOwn(queues, queue) && bodyBytes <= MAX_SCHEDULE_INPUT_BYTES;
}

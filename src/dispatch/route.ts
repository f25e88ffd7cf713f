import type { Envelope } from '../envelope/envelope.js';
import { MAX_SQS_DELAY_SECONDS } from '../envelope/outgoing.js';
import type { JobScheduler } from '../schedule/types.js';

/**
 * Which way a message due at `envelope.runAtMs` travels:
 * - `queue`: due within SQS's 15 minutes (DelaySeconds is exact to the second and costs nothing extra), in the
 *   past, or no scheduler is configured, or the scheduler cannot hold it (a queue it has no target for, a body
 *   over its Input limit): then a longer wait hops through SQS every 15 minutes.
 * - `scheduler`: due later than that: one EventBridge Scheduler schedule puts it on its queue at its time.
 *
 * So a schedule is never created for a time less than 15 minutes away: well clear of Scheduler's 60-second
 * firing precision and of `at()` times that would already have passed when CreateSchedule arrives (clock skew,
 * a slow request), which Scheduler refuses.
 */
export type Route = 'queue' | 'scheduler';

export const SCHEDULER_MIN_DELAY_MS = MAX_SQS_DELAY_SECONDS * 1000;

export function routeOf(
  envelope: Envelope,
  queue: string,
  nowMs: number,
  scheduler: JobScheduler | undefined,
): Route {
  const runAtMs = envelope.runAtMs ?? nowMs;
  if (!scheduler || runAtMs - nowMs <= SCHEDULER_MIN_DELAY_MS) return 'queue';
  return scheduler.accepts(queue, Buffer.byteLength(JSON.stringify(envelope), 'utf8'))
    ? 'scheduler'
    : 'queue';
}

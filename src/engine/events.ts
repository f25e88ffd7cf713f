import type { DeadLetterReason, ErrorSummary } from '../envelope/envelope.js';
import type { JobProgress } from '../job/types.js';

/**
 * Why a delivery was put off without running the job or using an attempt: a concurrent duplicate (`busy`), a job
 * this worker does not know yet, a message that arrived before it was due, a concurrency limit, a throttle, or a
 * paused job type or queue.
 */
export type DeferWhy =
  | 'busy'
  | 'unknown-job'
  | 'not-due'
  | 'concurrency'
  | 'throttle'
  | 'paused'
  /** A later enqueue of its debounced burst carries the run; this message comes back after the burst is due. */
  | 'debounce';

/** What every engine event carries. */
export interface EventBase {
  readonly queue: string;
  readonly jobId?: string;
  readonly jobName?: string;
  readonly attempt?: number;
  readonly atMs: number;
}

/** What the engine reports as it works: feeds live logs, metrics and the embedded engine's summary. */
export type JobEvent =
  | (EventBase & {
      readonly type: 'started';
      /** From when the message was due (sent, or its delay over) to this start: time spent waiting in the queue. */
      readonly latencyMs: number;
      /** The enqueueing request's X-Ray trace header, when it had one (Envelope.trace). */
      readonly trace?: string;
    })
  | (EventBase & { readonly type: 'succeeded'; readonly durationMs: number })
  | (EventBase & { readonly type: 'retrying'; readonly delayMs: number; readonly error: ErrorSummary })
  | (EventBase & { readonly type: 'dead'; readonly reason: DeadLetterReason; readonly error: ErrorSummary })
  | (EventBase & { readonly type: 'discarded'; readonly error: ErrorSummary })
  | (EventBase & { readonly type: 'duplicate' })
  | (EventBase & { readonly type: 'superseded' })
  /** Not started by its `expiresAtMs`: recorded `expired`, never run. */
  | (EventBase & { readonly type: 'expired'; readonly lateMs: number })
  /** Cancelled before it started (found at its claim), or while it ran (`whileRunning`). */
  | (EventBase & { readonly type: 'cancelled'; readonly whileRunning: boolean })
  /** A debounced message whose burst a later enqueue (or an earlier run) carries: acknowledged unrun. */
  | (EventBase & { readonly type: 'debounced' })
  | (EventBase & { readonly type: 'lease-lost' })
  /** A durable step completed (`replayed`: an earlier run completed it, and its stored result was returned). */
  | (EventBase & { readonly type: 'step'; readonly name: string; readonly replayed: boolean })
  /** The run sleeps (`ctx.sleep`): recorded, and its wake message sent for `untilMs`. */
  | (EventBase & { readonly type: 'sleeping'; readonly untilMs: number; readonly delayMs: number })
  | (EventBase & {
      readonly type: 'deferred';
      readonly why: DeferWhy;
      readonly delayMs: number;
      /** The limit's key, for a concurrency limit or throttle that has one. */
      readonly key?: string;
    })
  | (EventBase & { readonly type: 'released'; readonly why: string; readonly error?: ErrorSummary })
  | (EventBase & { readonly type: 'progress'; readonly progress: JobProgress });

export type JobEventType = JobEvent['type'];
export type JobEventListener = (event: JobEvent) => void;

/** Listeners must never break a run: a throwing listener is ignored. */
export function safeEmit(listener: JobEventListener | undefined, event: JobEvent): void {
  if (!listener) return;
  try {
    listener(event);
  } catch {
    // a logging bug must not turn into a job failure
  }
}

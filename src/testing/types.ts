import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { JobDefinition } from '../job/define-job.js';
import type { Duration } from '../job/duration.js';

/**
 * Any job definition, whatever its schema and result.
 * @example
 * const only: AnyJob[] = [generateReport, notifyOwner];
 */
export type AnyJob = JobDefinition<StandardSchemaV1, unknown>;

/**
 * A payload pattern: every property optional at every depth. Objects match when each given key matches (extra keys
 * in the payload are fine); arrays match element by element and must have the same length, like `toMatchObject`.
 * Asymmetric matchers (`expect.any(String)`, `expect.stringContaining('x')`) work as values.
 * @example
 * const pattern: DeepPartial<{ user: { id: string; tags: string[] } }> = { user: { id: 'u1' } };
 */
export type DeepPartial<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepPartial<U>[]
    : T extends object
      ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
      : T;

/**
 * A job captured by test mode: what would have been sent to the queue.
 * @example
 * const [reminder] = jobs.enqueued(sendReminder);
 * expect(reminder?.runAtMs).toBe(jobs.now().getTime() + 3_600_000);
 */
export interface CapturedJob<P = unknown> {
  readonly jobName: string;
  readonly jobId: string;
  readonly queue: string;
  /** The payload as the queue would carry it (after a JSON round trip), before the worker's schema parse. */
  readonly payload: P;
  /** 1 when enqueued; higher for the retry the engine scheduled after a failed attempt. */
  readonly attempt: number;
  /** When it was enqueued, on the test clock (epoch ms). */
  readonly enqueuedAtMs: number;
  /** When it becomes due, on the test clock (epoch ms). */
  readonly runAtMs: number;
}

/**
 * What one attempt led to, and what the engine would do next.
 * @example
 * const run: JobRunResult = await runJob(chargeCard, { orderId: 'o1' });
 * if (run.outcome === 'retry') console.log(`next attempt in ${run.delayMs} ms`);
 */
export type JobRunResult<R = unknown> =
  | { readonly outcome: 'succeeded'; readonly result: R }
  | { readonly outcome: 'retry'; readonly delayMs: number; readonly error: unknown }
  | {
      readonly outcome: 'dead';
      readonly reason: 'retries-exhausted' | 'permanent-error';
      readonly error: unknown;
    }
  | { readonly outcome: 'discarded'; readonly error: unknown }
  /** The job called `ctx.sleep`: its wake message is captured, due at `wakeAtMs` (`travel` to it). */
  | { readonly outcome: 'sleeping'; readonly wakeAtMs: number }
  /** `runJob`'s `interruptAfterStep`: the run stopped right after `step` was stored, as a crash would. */
  | { readonly outcome: 'interrupted'; readonly step: string };

/**
 * How a captured job ended without running: `duplicate` (its id already succeeded, in `exactly-once` mode, or a
 * newer run of it owns the job), `expired` (not started by its `expiresIn`), `cancelled` (`cancel` came first),
 * `debounced` (a later enqueue of its burst carries the run).
 */
export type NotRunOutcome = 'duplicate' | 'expired' | 'cancelled' | 'debounced';

/**
 * A captured job that `performEnqueued` handled; see NotRunOutcome for those the engine did not run.
 * @example
 * const [done] = jobs.performed(generateReport);
 * expect(done).toMatchObject({ outcome: 'succeeded', result: { pages: 3 } });
 */
export type PerformedJob<P = unknown, R = unknown> = CapturedJob<P> &
  (JobRunResult<R> | { readonly outcome: NotRunOutcome });

/**
 * Filters for `assertEnqueued` and `assertNotEnqueued`, besides the payload.
 * @example
 * jobs.assertNotEnqueued(sendReminder, { userId: 'u1' }, { delay: '1d' });
 */
export interface EnqueuedMatchOptions {
  /** The delay it was enqueued with (`runAtMs - enqueuedAtMs`), e.g. `'15m'`. */
  readonly delay?: Duration;
  /** The time it becomes due. */
  readonly at?: Date;
  readonly queue?: string;
}

/**
 * `EnqueuedMatchOptions` plus an exact count.
 * @example
 * jobs.assertEnqueued(sendReminder, { userId: 'u1' }, { delay: '1h', queue: 'default', count: 1 });
 */
export interface AssertEnqueuedOptions extends EnqueuedMatchOptions {
  /** Exactly this many matching jobs. @default at least one */
  readonly count?: number;
}

/**
 * How `performEnqueued` drains.
 * @example
 * const { failed } = await jobs.performEnqueued({ maxJobs: 20, onFailure: 'collect', only: [chargeCard] });
 */
export interface PerformEnqueuedOptions {
  /** How many jobs one call may run before it concludes jobs keep enqueuing each other. @default 100 */
  readonly maxJobs?: number;
  /**
   * Either way the engine has handled a failure already: a retry is captured again as the next attempt, due
   * after the backoff delay (`travel` to it), a dead job is dropped.
   * `throw`: the first failed attempt stops the drain with an `EnqueuedJobFailedError`.
   * `collect`: failures are reported in the summary and the drain goes on. @default 'throw'
   */
  readonly onFailure?: 'throw' | 'collect';
  /** Run only jobs of these definitions; others stay enqueued. @default every job */
  readonly only?: readonly AnyJob[];
}

/**
 * What one `performEnqueued` call did.
 * @example
 * const { performed, remaining } = await jobs.performEnqueued();
 * expect(performed.map((job) => job.jobName)).toEqual(['generateReport', 'notifyOwner']);
 */
export interface PerformSummary {
  /** Every job handled, in the order it ran. */
  readonly performed: readonly PerformedJob[];
  /** The performed jobs whose attempt failed (`retry` or `dead`); empty unless `onFailure: 'collect'`. */
  readonly failed: readonly PerformedJob[];
  /** Jobs still enqueued: not due yet, or excluded by `only`. */
  readonly remaining: number;
}

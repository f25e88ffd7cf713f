import type { StandardSchemaV1 } from '@standard-schema/spec';
import { setDefaultEnqueuer } from '../client/default-enqueuer.js';
import type { Clock } from '../clock.js';
import { InvalidOptionsError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import { type Duration, toMs } from '../job/duration.js';
import type { JobRegistry } from '../job/registry.js';
import type { PayloadInput } from '../job/types.js';
import { createManualClock, type ManualClock } from '../local/manual-clock.js';
import { assertEnqueued, assertNotEnqueued } from './assertions.js';
import {
  activeCapture,
  type CaptureInternals,
  type CaptureState,
  createCaptureState,
  createCapturingEnqueuer,
  setActiveCapture,
} from './capture.js';
import { performEnqueued } from './perform-enqueued.js';
import { NO_JITTER } from './run-job.js';
import type {
  AnyJob,
  AssertEnqueuedOptions,
  CapturedJob,
  DeepPartial,
  EnqueuedMatchOptions,
  PerformEnqueuedOptions,
  PerformedJob,
  PerformSummary,
} from './types.js';

/**
 * Where the test clock starts and how retries are jittered.
 * @example
 * const jobs = enableTestMode({ now: new Date('2026-01-01T00:00:00Z') });
 */
export interface TestModeOptions {
  /** Where the test clock starts. @default the current time */
  readonly now?: Date;
  /** Backoff jitter source in [0, 1) for retries that `performEnqueued` schedules. @default no jitter (always 0) */
  readonly random?: () => number;
  /**
   * The app's registry: enqueueing a job it does not hold throws `UnknownJobError`, as the production client built
   * with it does. @default none: any job is captured
   */
  readonly registry?: JobRegistry;
}

/**
 * The handle `enableTestMode` returns. Its methods are bound, so they can be destructured. "Enqueued" means waiting
 * to run: a job `performEnqueued` ran leaves `enqueued()` and shows in `performed()`.
 * @example
 * const { assertEnqueued, performEnqueued, travel } = enableTestMode();
 */
export interface TestJobs {
  /** The test clock, for code that takes a wharf `Clock`. It moves only on `travel` and `travelTo`. */
  readonly clock: Clock;
  /** The test clock's time. */
  now(): Date;
  /** Moves the test clock forward, so jobs delayed until then become due. Returns the new time. */
  travel(duration: Duration): Date;
  /** Moves the test clock to `date` (never backwards). Returns the new time. */
  travelTo(date: Date): Date;
  /** Jobs waiting to run, in enqueue order; of one job only when given, typed with its payload. */
  enqueued(): readonly CapturedJob[];
  enqueued<S extends StandardSchemaV1>(
    job: JobDefinition<S, unknown>,
  ): readonly CapturedJob<PayloadInput<S>>[];
  /** Jobs `performEnqueued` ran since test mode began (or `clear`), with their outcomes. */
  performed(): readonly PerformedJob[];
  performed<S extends StandardSchemaV1, R>(
    job: JobDefinition<S, R>,
  ): readonly PerformedJob<PayloadInput<S>, Awaited<R>>[];
  /** How many jobs (of `job`, when given) are waiting to run. */
  count(job?: AnyJob): number;
  /** Forgets every enqueued and performed job; the clock stays where it is. */
  clear(): void;
  /**
   * Throws a `JobAssertionError` unless a waiting job of `job` matches the payload pattern and options (exactly
   * `count` of them when given). Returns the matching jobs.
   */
  assertEnqueued<S extends StandardSchemaV1>(
    job: JobDefinition<S, unknown>,
    payload?: DeepPartial<PayloadInput<S>>,
    options?: AssertEnqueuedOptions,
  ): readonly CapturedJob<PayloadInput<S>>[];
  /** Throws a `JobAssertionError` when a waiting job of `job` matches the payload pattern and options. */
  assertNotEnqueued<S extends StandardSchemaV1>(
    job: JobDefinition<S, unknown>,
    payload?: DeepPartial<PayloadInput<S>>,
    options?: EnqueuedMatchOptions,
  ): void;
  /** Runs the due jobs, and the due jobs they enqueue, one attempt each. See `PerformEnqueuedOptions`. */
  performEnqueued(options?: PerformEnqueuedOptions): Promise<PerformSummary>;
  /** Puts back the enqueuer that was the default before. The handle's records stay readable. */
  restore(): void;
}

/**
 * Makes `job.performLater` and `performAllLater` capture jobs instead of sending them, after the same validation as
 * production (an invalid payload throws at enqueue). Call `restore()` when the test ends.
 *
 * @example
 * const jobs = enableTestMode();
 * afterEach(() => jobs.restore());
 * await signUp('u1');
 * jobs.assertEnqueued(sendWelcome, { userId: 'u1' });
 */
export function enableTestMode(options: TestModeOptions = {}): TestJobs {
  return startTestMode(options).jobs;
}

/**
 * `enableTestMode` with the engine's seams exposed, for wharf's own behaviour suite (test/helpers/harness): the
 * store, the engine's events and settings. Not exported from wharf-jobs/testing.
 */
export function startTestMode(
  options: TestModeOptions = {},
  internals: CaptureInternals = {},
): { readonly jobs: TestJobs; readonly state: CaptureState } {
  const start = options.now ?? new Date();
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
    throw new InvalidOptionsError('test mode options', [
      `now: expected a valid Date, received ${String(start)}`,
    ]);
  }
  const state = createCaptureState(
    createManualClock(start.getTime()),
    options.random ?? NO_JITTER,
    options.registry,
    internals,
  );
  const previousEnqueuer = setDefaultEnqueuer(createCapturingEnqueuer(state));
  const previousCapture = setActiveCapture(state);
  let restored = false;
  const jobs = createHandle(state, () => {
    if (restored) return;
    restored = true;
    setDefaultEnqueuer(previousEnqueuer);
    if (activeCapture() === state) setActiveCapture(previousCapture);
  });
  return { jobs, state };
}

function createHandle(state: CaptureState, restore: () => void): TestJobs {
  const { clock } = state;
  const byJob = <T extends CapturedJob>(list: readonly T[], job?: AnyJob) =>
    job ? list.filter((entry) => entry.jobName === job.name) : [...list];
  const pending = () => state.pending.map((entry) => entry.captured);
  const handle = {
    clock,
    now: () => new Date(clock.nowMs()),
    travel: (duration: Duration) => {
      clock.advance(toMs(duration, 'travel'));
      return new Date(clock.nowMs());
    },
    travelTo: (date: Date) => travelTo(clock, date),
    enqueued: (job?: AnyJob) => byJob(pending(), job),
    performed: (job?: AnyJob) => byJob(state.performed, job),
    count: (job?: AnyJob) => byJob(pending(), job).length,
    clear: () => state.clear(),
    assertEnqueued: (job: AnyJob, payload?: unknown, opts: AssertEnqueuedOptions = {}) =>
      assertEnqueued(state, { job, payload, options: opts }, opts.count),
    assertNotEnqueued: (job: AnyJob, payload?: unknown, opts: EnqueuedMatchOptions = {}) =>
      assertNotEnqueued(state, { job, payload, options: opts }),
    performEnqueued: (opts?: PerformEnqueuedOptions) => performEnqueued(state, opts),
    restore,
  };
  // The implementations above are untyped by job; the interface's overloads carry the payload types to callers.
  return handle as unknown as TestJobs;
}

function travelTo(clock: ManualClock, date: Date): Date {
  const target = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(target) || target < clock.nowMs()) {
    const now = new Date(clock.nowMs()).toISOString();
    const received = Number.isNaN(target) ? String(date) : date.toISOString();
    throw new InvalidOptionsError('travelTo', [
      `expected a valid Date not before the test clock (${now}), received ${received}`,
    ]);
  }
  clock.advanceTo(target);
  return new Date(target);
}

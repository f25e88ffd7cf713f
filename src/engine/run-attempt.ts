import type { Clock } from '../clock.js';
import {
  DiscardJobError,
  JobTimeoutError,
  RetryAfterError,
  StepError,
  WorkerShutdownError,
} from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import type { Duration } from '../job/duration.js';
import { toMs } from '../job/duration.js';
import { performAround } from '../job/hooks.js';
import type { JobBatch, JobContext, JobProgress, Jsonified } from '../job/types.js';
import { fallbackLogger, type JobLogger, StampedLogger } from '../observe/logger.js';
import type { AttemptWatch } from './cancel-watch.js';

/** Which run this is, as `ctx` shows it. */
export interface AttemptIdentity {
  readonly jobId: string;
  readonly attempt: number;
  readonly createdAtMs: number;
}

/** How long an attempt may run: the job's timeout, or less when a deadline is nearer. */
export interface AttemptBudget {
  readonly ms: number;
  readonly reason: 'job-timeout' | 'deadline';
  /** When it starts counting, on the attempt's clock. @default when runAttempt is called */
  readonly fromMs?: number;
}

export interface AttemptInput {
  readonly job: JobDefinition;
  readonly payload: unknown;
  readonly run: AttemptIdentity;
  readonly clock: Clock;
  /** @default the job's own timeout */
  readonly budget?: AttemptBudget;
  /** @default progress reports are dropped */
  readonly onProgress?: (progress: JobProgress) => void;
  /** The worker's shutdown: ends the attempt at once with WorkerShutdownError. */
  readonly shutdown?: AbortSignal;
  /** Watches a slow attempt for `cancel`, which ends it with the watch's reason (JobCancelledError). */
  readonly watch?: AttemptWatch;
  /** The job's batch (`ctx.batch`), when it is a child or a callback of one. */
  readonly batch?: JobBatch;
  /**
   * The run's durable steps (engine/step-journal.ts). Without it (`performNow`) a step just runs, and a sleep
   * is refused: nothing would continue the job later.
   */
  readonly steps?: AttemptSteps;
  /** What `ctx.logger` stamps the run's keys on. @default one JSON line per call on stdout (fallbackLogger) */
  readonly logger?: JobLogger;
}

/** What `ctx.step` and `ctx.sleep` are backed by; `ended` settles when the run must stop now (a sleep). */
export interface AttemptSteps {
  step(name: string, run: () => unknown): Promise<unknown>;
  sleepUntil(wakeAtMs: number): Promise<void>;
  readonly ended: Promise<AttemptOutcome>;
}

export type AttemptOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * How many turns of the microtask queue a job gets to finish before it is given a timer. A job already done
 * (synchronous, or async with nothing to wait for) has settled by then; one that waits on I/O has not.
 */
const QUICK_TURNS = 3;

/**
 * Cancels the budget timer once the attempt has settled. With a reason of our own, because abort() without one
 * builds a DOMException, stack trace included.
 */
const SETTLED = Symbol('attempt settled');

/**
 * Runs `perform` once. The signal aborts when the budget runs out, and the attempt fails with JobTimeoutError
 * even if `perform` ignores the signal (the stray promise is left behind: jobs should honour `ctx.signal`).
 *
 * Most jobs finish long before their timeout, and a timer, an AbortController and an abort event per job cost
 * several times what the rest of a no-op job's run costs. So the budget's end is fixed when the attempt starts,
 * but the timer that enforces it is armed only for a job still running after a few microtask turns, for the time
 * that is left; and `ctx.signal` is built only when the job reads it. Neither moves when a timeout happens.
 */
export function runAttempt(input: AttemptInput): AttemptOutcome | Promise<AttemptOutcome> {
  const budget = input.budget ?? { ms: input.job.options.timeoutMs, reason: 'job-timeout' };
  const startedAtMs = budget.fromMs ?? input.clock.nowMs();
  const abort = new LazyAbort();
  let value: unknown;
  try {
    const ctx = new AttemptContext(input, abort);
    // `around` runs inside the budget: its promise is what is raced below, not perform's alone.
    const around = input.job.hooks?.around;
    value = around
      ? performAround(around, (p, c) => input.job.perform(p, c), input.payload, ctx)
      : input.job.perform(input.payload as never, ctx);
  } catch (error) {
    return { ok: false, error };
  }
  // A synchronous job has finished: its outcome is returned as it is, not wrapped in a promise.
  if (!isThenable(value)) return { ok: true, result: value };
  return settleAsync(input, value, abort, budget, startedAtMs);
}

/** An asynchronous job: given a few microtask turns to finish before its budget gets a timer. */
async function settleAsync(
  input: AttemptInput,
  value: PromiseLike<unknown>,
  abort: LazyAbort,
  budget: AttemptBudget,
  startedAtMs: number,
): Promise<AttemptOutcome> {
  let outcome: AttemptOutcome | undefined;
  const run = Promise.resolve(value).then(
    (result): AttemptOutcome => (outcome = { ok: true, result }),
    (error: unknown): AttemptOutcome => (outcome = { ok: false, error }),
  );
  for (let turn = 0; turn < QUICK_TURNS && outcome === undefined; turn++) await undefined;
  if (outcome !== undefined) return outcome;
  return raceBudget(input, run, abort, budget, budget.ms - (input.clock.nowMs() - startedAtMs));
}

/** The slow path: the job is still running, so its budget (and the worker's shutdown) get a timer and a listener. */
async function raceBudget(
  input: AttemptInput,
  run: Promise<AttemptOutcome>,
  abort: LazyAbort,
  budget: AttemptBudget,
  remainingMs: number,
): Promise<AttemptOutcome> {
  const timer = new AbortController();
  const timeout = input.clock.sleep(Math.max(0, remainingMs), timer.signal).then(
    (): AttemptOutcome => {
      const error = new JobTimeoutError(budget.ms, budget.reason);
      abort.abort(error);
      return { ok: false, error };
    },
    () => run,
  );
  const racers: Promise<AttemptOutcome>[] = [run, timeout];
  if (input.shutdown) {
    racers.push(
      whenAborted(input.shutdown, timer.signal).then((aborted) => {
        if (!aborted) return run;
        const error = new WorkerShutdownError();
        abort.abort(error);
        return { ok: false, error } as const;
      }),
    );
  }
  if (input.steps) {
    racers.push(
      input.steps.ended.then((outcome) => {
        if (!outcome.ok) abort.abort(outcome.error);
        return outcome;
      }),
    );
  }
  if (input.watch) {
    racers.push(
      new Promise<AttemptOutcome>((resolve) => {
        input.watch!.start((error) => {
          abort.abort(error);
          resolve({ ok: false, error });
        }, timer.signal);
      }),
    );
  }
  try {
    return await Promise.race(racers);
  } finally {
    timer.abort(SETTLED);
  }
}

/** `ctx.signal`, built on first read: a signal aborted before it was read is born aborted, with the same reason. */
class LazyAbort {
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * The job's `ctx`. A class, not an object literal: a literal with a getter (for the lazy signal) takes V8's slow
 * path and cost as much as the rest of the attempt.
 */
class AttemptContext implements JobContext {
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly createdAtMs: number;
  readonly progress: (progress: JobProgress) => void;
  readonly batch: JobBatch | undefined;
  readonly #abort: LazyAbort;
  readonly #steps: AttemptSteps | undefined;
  readonly #clock: Clock;
  readonly #baseLogger: JobLogger | undefined;
  #logger: JobLogger | undefined;

  constructor(input: AttemptInput, abort: LazyAbort) {
    this.jobId = input.run.jobId;
    this.jobName = input.job.name;
    this.queue = input.job.options.queue;
    this.attempt = input.run.attempt;
    this.maxAttempts = input.job.options.maxAttempts;
    this.createdAtMs = input.run.createdAtMs;
    this.progress = input.onProgress ?? ignoreProgress;
    this.batch = input.batch;
    this.#abort = abort;
    this.#steps = input.steps;
    this.#clock = input.clock;
    this.#baseLogger = input.logger;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Built on first read, as the signal is: a job that writes no line pays nothing for it. */
  get logger(): JobLogger {
    this.#logger ??= new StampedLogger(this.#baseLogger ?? fallbackLogger(), {
      jobName: this.jobName,
      jobId: this.jobId,
      attempt: this.attempt,
      queue: this.queue,
    });
    return this.#logger;
  }

  retryAfter(delay: Parameters<JobContext['retryAfter']>[0], reason?: string): never {
    throw new RetryAfterError(toMs(delay, 'retryAfter delay'), reason);
  }

  discard(reason: string): never {
    throw new DiscardJobError(reason);
  }

  step<T>(name: string, run: () => Promise<T> | T): Promise<Jsonified<T>> {
    if (this.#steps) return this.#steps.step(name, run) as Promise<Jsonified<T>>;
    // performNow: one run here and now, nothing to remember it for; the value still comes back as JSON would.
    return Promise.resolve(run()).then((value) =>
      value === undefined ? undefined : JSON.parse(JSON.stringify(value)),
    ) as Promise<Jsonified<T>>;
  }

  sleep(duration: Duration): Promise<void> {
    const ms = toMs(duration, 'sleep duration');
    return this.sleepUntil(new Date(this.#clock.nowMs() + ms));
  }

  sleepUntil(at: Date): Promise<void> {
    if (!(at instanceof Date) || Number.isNaN(at.getTime()))
      return Promise.reject(new StepError(`sleepUntil: expected a valid Date, received ${String(at)}`));
    if (this.#steps) return this.#steps.sleepUntil(at.getTime());
    return Promise.reject(
      new StepError(
        `job "${this.jobName}" sleeps, which only a queued run can do (it continues from its queue later): use performLater`,
      ),
    );
  }
}

function ignoreProgress(): void {}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Resolves true when `signal` aborts, false once `settled` does (so no listener outlives the attempt). */
function whenAborted(signal: AbortSignal, settled: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const onAbort = () => {
      settled.removeEventListener('abort', onSettled);
      resolve(true);
    };
    const onSettled = () => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    settled.addEventListener('abort', onSettled, { once: true });
  });
}

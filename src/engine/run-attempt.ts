import type { Clock } from '../clock.js';
import { DiscardJobError, JobTimeoutError, RetryAfterError, WorkerShutdownError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import { toMs } from '../job/duration.js';
import type { JobContext, JobProgress } from '../job/types.js';

export interface AttemptInput {
  readonly job: JobDefinition;
  readonly payload: unknown;
  readonly jobId: string;
  readonly attempt: number;
  readonly createdAtMs: number;
  /** How long this attempt may run: the job's timeout, or less when a deadline is nearer. */
  readonly budgetMs: number;
  readonly budgetReason: 'job-timeout' | 'deadline';
  readonly clock: Clock;
  readonly onProgress: (progress: JobProgress) => void;
  /** The worker's shutdown: ends the attempt at once with WorkerShutdownError. */
  readonly shutdown?: AbortSignal;
}

export type AttemptOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: unknown };

/**
 * Cancels the budget timer once the attempt has settled. With a reason of our own, because abort() without one
 * builds a DOMException, stack trace included, for every job: about a third of the engine's CPU per no-op job.
 */
const SETTLED = Symbol('attempt settled');

/**
 * Runs `perform` once. The signal aborts when the budget runs out, and the attempt fails with JobTimeoutError
 * even if `perform` ignores the signal (the stray promise is left behind: jobs should honour `ctx.signal`).
 */
export async function runAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const ctx = createContext(input, controller.signal);
  const timer = new AbortController();
  const timeout = input.clock.sleep(input.budgetMs, timer.signal).then(
    () => {
      const error = new JobTimeoutError(input.budgetMs, input.budgetReason);
      controller.abort(error);
      return { ok: false, error } as const;
    },
    () => undefined,
  );
  const run = (async () => input.job.perform(input.payload as never, ctx))().then(
    (result): AttemptOutcome => ({ ok: true, result }),
    (error: unknown): AttemptOutcome => ({ ok: false, error }),
  );
  const racers: Promise<AttemptOutcome>[] = [run, timeout.then((t) => t ?? run)];
  if (input.shutdown) {
    racers.push(
      whenAborted(input.shutdown, timer.signal).then((aborted) => {
        if (!aborted) return run;
        const error = new WorkerShutdownError();
        controller.abort(error);
        return { ok: false, error } as const;
      }),
    );
  }
  try {
    return await Promise.race(racers);
  } finally {
    timer.abort(SETTLED);
  }
}

function createContext(input: AttemptInput, signal: AbortSignal): JobContext {
  return {
    jobId: input.jobId,
    jobName: input.job.name,
    queue: input.job.options.queue,
    attempt: input.attempt,
    maxAttempts: input.job.options.maxAttempts,
    signal,
    createdAtMs: input.createdAtMs,
    retryAfter(delay, reason) {
      throw new RetryAfterError(toMs(delay, 'retryAfter delay'), reason);
    },
    discard(reason) {
      throw new DiscardJobError(reason);
    },
    progress: input.onProgress,
  };
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

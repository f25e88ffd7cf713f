import type { Clock } from '../clock';
import { DiscardJobError, JobTimeoutError, RetryAfterError } from '../errors';
import type { JobDefinition } from '../job/define-job';
import { toMs } from '../job/duration';
import type { JobContext, JobProgress } from '../job/types';

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
  try {
    const first = await Promise.race([run, timeout.then((t) => t ?? run)]);
    return first;
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

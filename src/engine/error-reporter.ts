import type { DeadLetterReason } from '../envelope/envelope.js';
import { errorMessage, HookError } from '../errors.js';
import type { FailureOutcome } from '../job/hooks.js';

/**
 * What the error reporter learns with each error: enough for a Sentry or Honeybadger event (the job, its id,
 * queue and attempt as tags, the payload as context, whether it will retry to decide the level).
 */
export interface ErrorReport {
  /**
   * What failed. `attempt`: a job's attempt threw (its `perform` or `around`). `dead-letter`: a message was
   * dead-lettered without running (a payload the schema refused, an unknown job, a body that is no envelope...).
   * `hook`: a job's `onFailure` or `onDead` threw or ran out of time. `engine`: the engine's own call to the job
   * store or the queue failed and the message was released to come back (nothing was lost).
   */
  readonly kind: 'attempt' | 'dead-letter' | 'hook' | 'engine';
  readonly queue: string;
  /** The SQS message id (or the embedded queue's): what the queue's own logs name. */
  readonly messageId: string;
  /** Absent for a body that is not a wharf envelope. */
  readonly jobName?: string;
  readonly jobId?: string;
  readonly attempt?: number;
  readonly maxAttempts?: number;
  /** The payload as it arrived, with the job's `redact` paths replaced by "[redacted]". */
  readonly payload?: unknown;
  /** Whether the job runs again: a retry is scheduled, or the message was released and comes back. */
  readonly willRetry: boolean;
  /** For `attempt` (and the `hook` that followed it): what came of it; `released` when it could not be made durable. */
  readonly outcome?: FailureOutcome | 'released';
  readonly retryDelayMs?: number;
  readonly deadLetterReason?: DeadLetterReason;
  /** For `hook`: which hook failed. */
  readonly hook?: 'onFailure' | 'onDead';
  /** For `engine`: what the engine could not do, as the `released` event says it (`could not record success`). */
  readonly why?: string;
}

/**
 * The process-wide error reporter (EngineOptions.reportError): one place to plug Sentry in. What it throws or
 * rejects with is caught and written to stderr: it never changes an outcome.
 */
export type ErrorReporter = (error: unknown, report: ErrorReport) => void | Promise<void>;

/**
 * How long hooks after an outcome (the reporter, `onFailure`, `onDead`) may hold the message together. The outcome
 * is durable before they start, but the message is acked only after them: a hook that hangs must not keep it in
 * flight until its visibility runs out and it runs again. Less near a Lambda invocation's deadline.
 */
export const HOOK_TIME_LIMIT_MS = 5_000;

/**
 * The engine's side of the reporter: calls that never throw and never take longer than they are given. Each call
 * is tracked until it settles, so a report started where nothing can await it (a release) is still awaited by
 * the engine before the message's disposition goes back to the adapter (a frozen Lambda would lose it).
 */
export class ErrorReports {
  readonly #reporter: ErrorReporter;
  readonly #pending = new Set<Promise<void>>();

  constructor(reporter: ErrorReporter) {
    this.#reporter = reporter;
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Resolves once the reporter has settled or `limitMs` passed; never rejects. */
  report(error: unknown, report: ErrorReport, limitMs = HOOK_TIME_LIMIT_MS): Promise<void> {
    const call = withinTime(() => this.#reporter(error, report), limitMs).then(
      (late) => {
        if (late) warn(`the error reporter took longer than ${limitMs} ms; wharf went on without it`);
      },
      (thrown: unknown) => warn(`the error reporter threw (${errorMessage(thrown)}); the outcome stands`),
    );
    this.#pending.add(call);
    void call.finally(() => this.#pending.delete(call));
    return call;
  }

  /** Waits for every report still in flight. */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/**
 * Runs `work` for at most `limitMs` of real time (hooks run in real time even on a manual clock). Resolves true
 * when it ran out of time, false when it finished; rejects with what it threw.
 */
export async function withinTime(work: () => unknown, limitMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), Math.max(0, limitMs));
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .then(() => false),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A hook that ran out of its time: reported as this, since it threw nothing. */
export function hookTimedOut(hook: 'onFailure' | 'onDead', jobName: string, limitMs: number): HookError {
  return new HookError(
    hook,
    `${hook} of job "${jobName}" did not finish within ${limitMs} ms; the outcome stands`,
  );
}

/** Where a failing reporter is told: it cannot report itself, and saying nothing would hide the lost report. */
function warn(message: string): void {
  console.error(`[wharf] ${message}`);
}

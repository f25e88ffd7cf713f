import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { DeadLetterReason } from '../envelope/envelope.js';
import { HookError } from '../errors.js';
import type { JobContext, PayloadInput } from './types.js';

/** What comes after a failed attempt, once it is durable: a retry, a dead letter, or a discard. */
export type FailureOutcome = 'retry-scheduled' | 'dead-lettered' | 'discarded';

/**
 * What `onFailure` learns about the attempt that failed and what happens next. Given only once that next step is
 * durable (the retry sent, the dead letter written, the discard recorded).
 */
export interface FailureInfo<P = unknown> {
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  /** The attempt that failed (1 for the first run). */
  readonly attempt: number;
  /** The most attempts the job can have (as `ctx.maxAttempts`). */
  readonly maxAttempts: number;
  /** The payload as it arrived on the queue, before the schema's transforms; not redacted (it is the job's own). */
  readonly payload: P;
  readonly outcome: FailureOutcome;
  /** True when a retry is scheduled: the job runs again as attempt `attempt + 1`. */
  readonly willRetry: boolean;
  /** With a retry: the wait before it, in ms. */
  readonly retryDelayMs?: number;
  /** With a dead letter: the reason it carries (`retries-exhausted`, `permanent-error`...). */
  readonly deadLetterReason?: DeadLetterReason;
}

/**
 * What `onDead` learns once the dead letter is written. `afterAttempt` is true when an attempt failed into it
 * (`onFailure` ran just before, with the same error). It is false when the engine dead-lettered the message
 * without running it: its payload failed the schema, its attempts were used up by runs that crashed, its id
 * names another job. `error` is then the engine's account of why (InvalidPayloadError...), rebuilt from the
 * dead letter's summary (name, message, code, stack head).
 */
export interface DeadInfo<P = unknown> extends FailureInfo<P> {
  readonly outcome: 'dead-lettered';
  readonly deadLetterReason: DeadLetterReason;
  readonly afterAttempt: boolean;
}

/**
 * Code a job runs around its attempts and after their failures (README "Hooks and error reporting"). Each is
 * optional; a job with none pays nothing for them.
 */
// `_R`, the job's result type, is not used by the hooks yet (see `around`); kept so JobOptions reads as one shape.
export interface JobHooks<S extends StandardSchemaV1, _R = unknown> {
  /**
   * Wraps every attempt's `perform` (Active Job's around_perform): code before `next()`, code after it, the
   * result or the error in between. It runs inside the attempt's timeout, on the same `ctx`. What it resolves to
   * is the attempt's result; what it throws fails the attempt as `perform` throwing would. Not calling `next()`
   * skips `perform` (the attempt succeeds with what `around` returns, as a Sidekiq middleware that does not
   * yield); a second `next()` rejects with HookError (WHARF_HOOK) and `perform` does not run again.
   *
   * Generic in the result on purpose: one `around` can wrap many jobs, and a job's result type is inferred from
   * `perform` wherever in the definition `around` is written (a typed `next` written before `perform` would
   * freeze it at `unknown`). So it hands on what `next()` gave it; one that skips `perform` or rescues an error
   * returns a value of its own with a cast.
   * @default none
   */
  readonly around?: <T>(ctx: JobContext, next: () => Promise<T>) => Promise<T>;
  /**
   * After every failed attempt, once what comes next is durable. What it throws is given to the error reporter
   * and changes nothing: the retry, dead letter or discard stands. @default none
   */
  readonly onFailure?: (error: unknown, info: FailureInfo<PayloadInput<S>>) => void | Promise<void>;
  /**
   * Once the job's dead letter is written (after `onFailure`, for a job that ran). What it throws is given to the
   * error reporter and changes nothing. @default none
   */
  readonly onDead?: (error: unknown, info: DeadInfo<PayloadInput<S>>) => void | Promise<void>;
}

/** A job's hooks as the engine holds them: absent entirely when the job has none (the hot path tests one field). */
export interface ResolvedJobHooks {
  readonly around?: <T>(ctx: JobContext, next: () => Promise<T>) => Promise<T>;
  readonly onFailure?: (error: unknown, info: FailureInfo) => void | Promise<void>;
  readonly onDead?: (error: unknown, info: DeadInfo) => void | Promise<void>;
}

export const HOOK_KEYS = ['around', 'onFailure', 'onDead'] as const;

/** The job's hooks, each checked to be a function; undefined when it has none. */
export function resolveHooks(
  input: Partial<Record<(typeof HOOK_KEYS)[number], unknown>>,
  problems: string[],
): ResolvedJobHooks | undefined {
  const hooks: Record<string, unknown> = {};
  for (const key of HOOK_KEYS) {
    const hook = input[key];
    if (hook === undefined) continue;
    if (typeof hook !== 'function') problems.push(`${key}: expected a function, received ${typeof hook}`);
    else hooks[key] = hook;
  }
  return Object.keys(hooks).length === 0 ? undefined : (hooks as ResolvedJobHooks);
}

/**
 * One attempt through the job's `around`: `next` runs `perform` once, as a promise even when `perform` is
 * synchronous or throws synchronously, so `around` can always `await next()` in a try.
 */
export function performAround(
  around: NonNullable<ResolvedJobHooks['around']>,
  perform: (payload: never, ctx: JobContext) => unknown,
  payload: unknown,
  ctx: JobContext,
): unknown {
  let called = false;
  const next = (): Promise<unknown> => {
    if (called)
      return Promise.reject(
        new HookError(
          'around',
          `around of job "${ctx.jobName}" called next() a second time: perform runs once per attempt`,
        ),
      );
    called = true;
    try {
      return Promise.resolve(perform(payload as never, ctx));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return around(ctx, next);
}

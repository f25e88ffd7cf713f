import { hasCode } from '../errors.js';
import { type BackoffPolicy, backoffDelayMs, type Random } from '../job/backoff.js';
import type { ResolvedJobOptions } from '../job/define-job.js';
import type { ErrorMatcher } from '../job/types.js';

export type RetryDecision =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'dead'; readonly reason: 'retries-exhausted' | 'permanent-error' }
  | { readonly kind: 'discard' };

/**
 * What happens after attempt `attempt` failed with `error`. A run the invocation deadline cut short is retried
 * while attempts remain. Otherwise the job's rules decide, in this order: an explicit discard, `discardOn`, the
 * first retry rule that matches (its attempts and backoff), `retryOn` (when given, anything else is permanent),
 * then the policy's attempts and backoff.
 */
export function decideRetry(
  options: ResolvedJobOptions,
  attempt: number,
  error: unknown,
  random: Random,
): RetryDecision {
  // The platform cut the run short, not the job: its own rules (retryOn, discardOn) do not apply.
  if (wasCutByDeadline(error)) return retryOrExhausted(options.retry, attempt, error, random);
  if (hasCode(error, 'WHARF_DISCARD') || matchesAny(options.retry.discardOn, error))
    return { kind: 'discard' };
  if (hasCode(error, 'WHARF_INVALID_PAYLOAD') || hasCode(error, 'WHARF_STEP'))
    return { kind: 'dead', reason: 'permanent-error' };
  const rule = options.retry.rules.find((r) => matchesAny(r.on, error));
  if (rule) return retryOrExhausted(rule, attempt, error, random);
  const retryable =
    hasCode(error, 'WHARF_RETRY_AFTER') || !options.retry.retryOn || matchesAny(options.retry.retryOn, error);
  if (!retryable) return { kind: 'dead', reason: 'permanent-error' };
  return retryOrExhausted(options.retry, attempt, error, random);
}

/** The attempts and backoff that apply: a matching rule's, or the policy's own. */
interface Budget {
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
}

function retryOrExhausted(budget: Budget, attempt: number, error: unknown, random: Random): RetryDecision {
  if (attempt >= budget.attempts) return { kind: 'dead', reason: 'retries-exhausted' };
  const asked = (error as { delayMs?: unknown } | null)?.delayMs;
  const delayMs =
    hasCode(error, 'WHARF_RETRY_AFTER') && typeof asked === 'number'
      ? asked
      : backoffDelayMs(budget.backoff, attempt, random);
  return { kind: 'retry', delayMs };
}

function wasCutByDeadline(error: unknown): boolean {
  return hasCode(error, 'WHARF_JOB_TIMEOUT') && (error as { reason?: unknown }).reason === 'deadline';
}

export function matchesAny(matchers: readonly ErrorMatcher[], error: unknown): boolean {
  return matchers.some((matcher) => matches(matcher, error));
}

function matches(matcher: ErrorMatcher, error: unknown): boolean {
  if (typeof matcher === 'string') {
    const e = error as { code?: unknown; name?: unknown } | null;
    return e?.code === matcher || e?.name === matcher;
  }
  if (isErrorClass(matcher)) return error instanceof matcher;
  try {
    return Boolean((matcher as (error: unknown) => boolean)(error));
  } catch {
    // A rule is user code: if it throws, it does not match, so the decision is still made (and the message is
    // not released to run again and again).
    return false;
  }
}

function isErrorClass(matcher: ErrorMatcher): matcher is abstract new (...args: never[]) => Error {
  return typeof matcher === 'function' && (matcher.prototype instanceof Error || matcher === Error);
}

import { type Duration, toMs } from './duration.js';

/**
 * How long to wait before attempt N+1 after attempt N failed.
 * - `polynomial`: (attempt ^ exponent) seconds + 2 s, ActiveJob's `:polynomially_longer` (exponent 4: 3 s, 18 s, 83 s, 258 s...).
 * - `exponential`: base * factor ^ (attempt - 1).
 * - `fixed`: the same delay every time.
 * Every strategy is capped by `max` and spread by `jitter` (a fraction added at random: 0.15 adds 0-15%).
 */
export type BackoffPolicy =
  | {
      readonly strategy: 'polynomial';
      readonly exponent?: number;
      readonly max?: Duration;
      readonly jitter?: number;
    }
  | {
      readonly strategy: 'exponential';
      readonly base?: Duration;
      readonly factor?: number;
      readonly max?: Duration;
      readonly jitter?: number;
    }
  | { readonly strategy: 'fixed'; readonly delay: Duration; readonly jitter?: number };

/** @default polynomial backoff, exponent 4, capped at 1 hour, jitter 0.15 */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  strategy: 'polynomial',
  exponent: 4,
  max: '1h',
  jitter: 0.15,
};

/** A random source in [0, 1); injected so tests can fix jitter. */
export type Random = () => number;

export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random: Random = Math.random): number {
  const raw = rawDelayMs(policy, attempt);
  const capped =
    policy.strategy === 'fixed' || policy.max === undefined ? raw : Math.min(raw, toMs(policy.max));
  const jitter = policy.jitter ?? 0;
  return Math.round(capped * (1 + jitter * random()));
}

function rawDelayMs(policy: BackoffPolicy, attempt: number): number {
  switch (policy.strategy) {
    case 'fixed':
      return toMs(policy.delay);
    case 'exponential':
      return toMs(policy.base ?? '1s') * (policy.factor ?? 2) ** Math.max(0, attempt - 1);
    case 'polynomial':
      return (attempt ** (policy.exponent ?? 4) + 2) * 1000;
  }
}

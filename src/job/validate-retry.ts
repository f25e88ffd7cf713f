import { describe, parseDuration } from './duration.js';

const RETRY_KEYS = ['attempts', 'backoff', 'retryOn', 'discardOn', 'rules'];
const RULE_KEYS = ['on', 'attempts', 'backoff'];
const BACKOFF_KEYS: Record<string, readonly string[]> = {
  polynomial: ['strategy', 'exponent', 'max', 'jitter'],
  exponential: ['strategy', 'base', 'factor', 'max', 'jitter'],
  fixed: ['strategy', 'delay', 'jitter'],
};

/**
 * The problems with a retry policy, found when the job is defined. Checked here because the policy is only used
 * after an attempt fails: a bad backoff found then would stop the retry from being sent at all.
 * (`attempts` is checked with the other options, where its default is resolved.)
 */
export function retryPolicyProblems(retry: unknown): string[] {
  if (retry === undefined) return [];
  if (typeof retry !== 'object' || retry === null || Array.isArray(retry))
    return [`retry: expected an object, received ${show(retry)}`];
  const problems: string[] = [];
  for (const key of Object.keys(retry)) {
    if (!RETRY_KEYS.includes(key))
      problems.push(`retry: unknown option "${key}" (known: ${RETRY_KEYS.join(', ')})`);
  }
  const { backoff, retryOn, discardOn, rules } = retry as Record<string, unknown>;
  if (backoff !== undefined) problems.push(...backoffProblems(backoff));
  problems.push(...matcherProblems('retryOn', retryOn), ...matcherProblems('discardOn', discardOn));
  problems.push(...ruleProblems(rules));
  return problems;
}

/** Each rule: an object with `on` (a matcher or a list of them), and `attempts` and `backoff` as the policy's. */
function ruleProblems(rules: unknown): string[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules))
    return [`retry.rules: expected a list of { on, attempts?, backoff? }, received ${show(rules)}`];
  return rules.flatMap((rule, i) => {
    const field = `retry.rules[${i}]`;
    if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
      return [`${field}: expected { on, attempts?, backoff? }, received ${show(rule)}`];
    const r = rule as Record<string, unknown>;
    const problems = Object.keys(r)
      .filter((key) => !RULE_KEYS.includes(key))
      .map((key) => `${field}: unknown option "${key}" (known: ${RULE_KEYS.join(', ')})`);
    const on = Array.isArray(r.on) ? r.on : [r.on];
    if (
      r.on === undefined ||
      on.length === 0 ||
      !on.every((m) => typeof m === 'string' || typeof m === 'function')
    )
      problems.push(
        `${field}.on: expected an error code or name, an error class, a predicate, or a list of them, received ${show(r.on)}`,
      );
    const attempts = r.attempts;
    if (
      attempts !== undefined &&
      (!Number.isInteger(attempts) || (attempts as number) < 1 || (attempts as number) > 1000)
    )
      problems.push(`${field}.attempts: expected an integer from 1 to 1000, received ${show(attempts)}`);
    if (r.backoff !== undefined)
      problems.push(
        ...backoffProblems(r.backoff).map((p) => p.replace(/^retry\.backoff/, `${field}.backoff`)),
      );
    return problems;
  });
}

function backoffProblems(backoff: unknown): string[] {
  if (typeof backoff !== 'object' || backoff === null)
    return [`retry.backoff: expected an object, received ${show(backoff)}`];
  const policy = backoff as Record<string, unknown>;
  const strategy = policy.strategy;
  const known =
    typeof strategy === 'string' && Object.hasOwn(BACKOFF_KEYS, strategy)
      ? BACKOFF_KEYS[strategy]
      : undefined;
  if (!known) {
    const strategies = Object.keys(BACKOFF_KEYS).join(', ');
    return [`retry.backoff.strategy: expected one of ${strategies}, received ${show(strategy)}`];
  }
  const problems: string[] = [];
  for (const key of Object.keys(policy)) {
    if (!known.includes(key))
      problems.push(
        `retry.backoff: unknown option "${key}" for strategy "${strategy}" (known: ${known.join(', ')})`,
      );
  }
  for (const field of ['delay', 'base', 'max']) {
    const required = field === 'delay' && strategy === 'fixed';
    if (!known.includes(field) || (policy[field] === undefined && !required)) continue;
    const parsed = parseDuration(policy[field]);
    if ('problem' in parsed) problems.push(`retry.backoff.${field}: ${parsed.problem}`);
  }
  const numbers: [string, (n: number) => boolean, string][] = [
    ['exponent', (n) => n > 0, 'a positive number'],
    ['factor', (n) => n >= 1, 'a number of at least 1'],
    ['jitter', (n) => n >= 0 && n <= 1, 'a fraction from 0 to 1'],
  ];
  for (const [field, ok, expected] of numbers) {
    const value = policy[field];
    if (value === undefined || !known.includes(field)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value))
      problems.push(`retry.backoff.${field}: expected ${expected}, received ${show(value)}`);
  }
  return problems;
}

function matcherProblems(field: string, matchers: unknown): string[] {
  if (matchers === undefined) return [];
  const valid =
    Array.isArray(matchers) && matchers.every((m) => typeof m === 'string' || typeof m === 'function');
  if (valid) return [];
  return [
    `retry.${field}: expected a list of error codes or names (strings), error classes or predicates, received ${show(matchers)}`,
  ];
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(value) : describe(value);
}

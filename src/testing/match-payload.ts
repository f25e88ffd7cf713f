import { preview } from './describe-jobs.js';

interface AsymmetricMatcher {
  asymmetricMatch(other: unknown): boolean;
  toAsymmetricMatcher?(): string;
}

/**
 * Compares a payload with a deep-partial pattern. Returns undefined when it matches, else the first difference as
 * `path: expected X, received Y`, so a failing assertion can say why the nearest job did not match.
 */
export function findMismatch(actual: unknown, expected: unknown, path = 'payload'): string | undefined {
  const differ = () => `${path}: expected ${describeExpected(expected)}, received ${preview(actual, 60)}`;
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual) ? undefined : differ();
  // The captured payload went through JSON, so a Date in the pattern stands for its ISO string.
  if (expected instanceof Date) return actual === expected.toJSON() ? undefined : differ();
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return differ();
    if (actual.length !== expected.length) {
      return `${path}: expected ${expected.length} items, received ${actual.length}: ${preview(actual, 60)}`;
    }
    return firstOf(expected.map((item, i) => () => findMismatch(actual[i], item, `${path}[${i}]`)));
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return differ();
    return firstOf(
      Object.keys(expected).map((key) => () => findMismatch(actual[key], expected[key], `${path}.${key}`)),
    );
  }
  return Object.is(actual, expected) ? undefined : differ();
}

function firstOf(checks: readonly (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const problem = check();
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function isAsymmetric(value: unknown): value is AsymmetricMatcher {
  return typeof (value as Partial<AsymmetricMatcher> | null)?.asymmetricMatch === 'function';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeExpected(expected: unknown): string {
  if (isAsymmetric(expected)) return expected.toAsymmetricMatcher?.() ?? String(expected);
  return preview(expected, 60);
}

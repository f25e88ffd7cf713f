import { InvalidOptionsError } from '../errors.js';

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';
/**
 * A length of time that carries its unit: `'250ms'`, `'30s'`, `'15m'`, `'2h'`, `'3d'`, or `{ ms }` / `{ seconds }`.
 * Bare numbers are not accepted: a number without a unit is how seconds and milliseconds get mixed up.
 */
export type Duration = `${number}${DurationUnit}` | { readonly ms: number } | { readonly seconds: number };

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses a Duration to milliseconds, or returns a readable problem. */
export function parseDuration(value: unknown): { ms: number } | { problem: string } {
  if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (!match)
      return { problem: `expected a duration like "30s", "15m" or "2h", received ${JSON.stringify(value)}` };
    return { ms: Math.round(Number(match[1]) * UNIT_MS[match[2] as DurationUnit]) };
  }
  if (typeof value === 'object' && value !== null) {
    const { ms, seconds } = value as { ms?: unknown; seconds?: unknown };
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return { ms: Math.round(ms) };
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0)
      return { ms: Math.round(seconds * 1000) };
  }
  return { problem: `expected a duration like "30s" or { seconds: 30 }, received ${describe(value)}` };
}

/** Parses a Duration or throws InvalidOptionsError naming the field. */
export function toMs(value: Duration, field = 'duration'): number {
  const parsed = parseDuration(value);
  if ('problem' in parsed) throw new InvalidOptionsError(field, [`${field}: ${parsed.problem}`]);
  return parsed.ms;
}

export function describe(value: unknown): string {
  if (typeof value === 'number') return `the number ${value} (add a unit, e.g. "${value}s")`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const EXACT_UNITS: readonly [DurationUnit, number][] = [
  ['d', UNIT_MS.d],
  ['h', UNIT_MS.h],
  ['m', UNIT_MS.m],
  ['s', UNIT_MS.s],
];

/** A length of time in the largest unit that states it exactly (`15m`, `90s`, `1500ms`), as users write durations. */
export function formatMs(ms: number): string {
  if (ms === 0) return '0s';
  const unit = EXACT_UNITS.find(([, size]) => ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

/**
 * The arithmetic of the Performance page's plot (svg-plot.ts): value axes with round ticks, a time axis with
 * ticks on whole minutes, hours or days (UTC), and a linear map from either onto pixels. Pure, so it is tested
 * without drawing anything.
 */

export interface LinearScale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** The pixel of a value; a value outside the domain lands outside the range, as a linear map does. */
  at(value: number): number;
}

export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // A domain of one value (one point in time, every value equal) would divide by zero: its middle is the answer.
  const span = d1 - d0;
  return {
    domain,
    range,
    at: (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0)),
  };
}

export interface ValueTicks {
  /** The top of the axis: the first tick at or above the largest value. */
  readonly max: number;
  readonly ticks: readonly number[];
}

/**
 * Ticks from 0 at a step of 1, 2 or 5 times a power of ten, at most `maxTicks` + 1 of them, the last at or above
 * `max`. Counts get whole steps (no "0.5 runs"); an axis with nothing on it (max 0) still gets 0 and 1.
 */
export function valueTicks(max: number, options: { maxTicks?: number; integer?: boolean } = {}): ValueTicks {
  const maxTicks = options.maxTicks ?? 5;
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  let step = niceStep(top / maxTicks);
  if (options.integer) step = Math.max(1, Math.round(step));
  const count = Math.ceil(top / step - 1e-9);
  const ticks = Array.from({ length: count + 1 }, (_, i) => roundOff(i * step));
  return { max: ticks[ticks.length - 1]!, ticks };
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Floating point leaves 0.30000000000000004 from 3 * 0.1: ticks are shown, so they are rounded to the step. */
const roundOff = (value: number) => Number.parseFloat(value.toPrecision(12));

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

export interface TimeTick {
  readonly atMs: number;
  readonly label: string;
}

/**
 * Ticks on whole UTC minutes, hours or days inside [sinceMs, untilMs], at the smallest step that gives at most
 * `maxTicks`: 09:00 09:10 ... within a day, 11-30 12-01 ... across days (the dashboard shows UTC everywhere). Eight, not
 * seven: a week taken back to its first whole minute is a little over 7 days, and still gets a tick a day.
 */
export function timeTicks(sinceMs: number, untilMs: number, maxTicks = 8): readonly TimeTick[] {
  const span = Math.max(untilMs - sinceMs, 0);
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? TIME_STEPS[TIME_STEPS.length - 1]!;
  const ticks: TimeTick[] = [];
  for (let at = Math.ceil(sinceMs / step) * step; at <= untilMs; at += step)
    ticks.push({ atMs: at, label: timeLabel(at, step) });
  return ticks;
}

function timeLabel(atMs: number, stepMs: number): string {
  const iso = new Date(atMs).toISOString();
  // A day step shows the date; a step within a day shows the time, and the date where a new day begins.
  if (stepMs >= DAY) return iso.slice(5, 10);
  return iso.slice(11, 16) === '00:00' && stepMs >= HOUR ? iso.slice(5, 10) : iso.slice(11, 16);
}

/** "1 min", "10 min", "3 h", "1 d": the width of a period, as the plot's titles say it. */
export function periodText(periodMs: number): string {
  if (periodMs % DAY === 0) return `${periodMs / DAY} d`;
  if (periodMs % HOUR === 0) return `${periodMs / HOUR} h`;
  if (periodMs % MINUTE === 0) return `${periodMs / MINUTE} min`;
  return `${Math.round(periodMs / 1000)} s`;
}

/** Durations read in the unit their size asks for: ms below 10 s, seconds below 10 min, minutes above. */
export interface DurationUnit {
  readonly name: 'ms' | 's' | 'min';
  readonly ms: number;
}

export function durationUnit(maxMs: number): DurationUnit {
  if (maxMs >= 10 * MINUTE) return { name: 'min', ms: MINUTE };
  if (maxMs >= 10_000) return { name: 's', ms: 1000 };
  return { name: 'ms', ms: 1 };
}

/** A duration in ms for a table cell or a hover text: "12 ms", "2.4 s", "3.1 min". */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${trim(ms / 1000)} s`;
  return `${trim(ms / MINUTE)} min`;
}

const trim = (value: number) => (value >= 100 ? String(Math.round(value)) : value.toPrecision(2));

/** A tick's label: no trailing zeros, thousands grouped (1,500). */
export function tickText(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** "2026-12-01 09:05Z": the time of one point, for its hover text. */
export function pointTime(atMs: number): string {
  return `${new Date(atMs).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

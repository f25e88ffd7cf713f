import { InvalidOptionsError } from '../errors.js';
import type { MetricOutcome } from '../observe/metric-names.js';
import type { StatsQuery } from './stats-types.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Points a series has at most when no period is given: enough for a plot, few enough to read at a glance. */
const MAX_DEFAULT_POINTS = 60;

export interface StatsWindow {
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly periodMs: number;
  /** The start of each point of the series, oldest first. */
  readonly pointsAtMs: readonly number[];
}

/**
 * The window a stats query covers, decided once for both sources. Periods are whole minutes (CloudWatch's
 * periods are multiples of 60 s, and the embedded engine counts per minute), and the window starts on a whole
 * minute, so that every point covers the same minutes on both: a `sinceMs` inside a minute takes that minute in.
 */
export function resolveStatsWindow(query: StatsQuery, nowMs: number): StatsWindow {
  const untilMs = query.untilMs ?? nowMs;
  const requestedSince = query.sinceMs ?? untilMs - HOUR_MS;
  const problems: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
      problems.push(`${name}: expected a number of milliseconds, received ${JSON.stringify(value)}`);
  }
  if (problems.length === 0 && requestedSince >= untilMs)
    problems.push(`sinceMs (${requestedSince}) must be before untilMs (${untilMs})`);
  if (query.periodMs !== undefined && query.periodMs <= 0)
    problems.push(`periodMs: expected more than 0, received ${query.periodMs}`);
  if (problems.length > 0) throw new InvalidOptionsError('stats query', problems);
  const sinceMs = Math.floor(requestedSince / MINUTE_MS) * MINUTE_MS;
  // From the span asked for: the last hour is 60 one-minute points (61 when its start is taken back to a minute).
  const wanted = query.periodMs ?? (untilMs - requestedSince) / MAX_DEFAULT_POINTS;
  const periodMs = Math.max(MINUTE_MS, Math.ceil(wanted / MINUTE_MS) * MINUTE_MS);
  const pointsAtMs: number[] = [];
  for (let at = sinceMs; at < untilMs; at += periodMs) pointsAtMs.push(at);
  return { sinceMs, untilMs, periodMs, pointsAtMs };
}

/** Every outcome, 0 where none happened: rows always carry all of them. */
export function zeroOutcomes(): Record<MetricOutcome, number> {
  return {
    succeeded: 0,
    retried: 0,
    dead: 0,
    discarded: 0,
    deferred: 0,
    duplicate: 0,
    expired: 0,
    cancelled: 0,
  };
}

/**
 * Runs that ended: the outcomes of an attempt that ran (succeeded, retried, dead, discarded, cancelled). A job
 * dead-lettered or cancelled before it ran counts too: the metrics do not tell them apart, and both sources count
 * alike. Deferred, duplicate and expired deliveries ran nothing.
 */
export function runsOf(outcomes: Readonly<Partial<Record<MetricOutcome, number>>>): number {
  const { succeeded = 0, retried = 0, dead = 0, discarded = 0, cancelled = 0 } = outcomes;
  return succeeded + retried + dead + discarded + cancelled;
}

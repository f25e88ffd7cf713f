import { Cron, CronDate } from 'croner';
import { InvalidOptionsError } from '../errors.js';
import { type AwsExpression, parseAwsExpression } from './aws-expression.js';

/** Safety bound on candidates skipped in one search (a DST gap or repeated hour skips a handful). */
const MAX_SKIPS = 10_000;

/**
 * When a schedule fires next, strictly after `afterMs`, following EventBridge Scheduler's rules: croner computes
 * cron times in the IANA zone, and two rules Scheduler documents for daylight saving time are applied on top:
 * a time that does not exist (spring forward) is skipped, not moved; a time that occurs twice (fall back) fires
 * once. A rate fires every interval from `anchorMs` (the schedule's start; Scheduler starts a rate schedule when it
 * is created). Returns undefined when it never fires again.
 */
export function nextRunAfter(
  expression: string | AwsExpression,
  timeZone: string,
  afterMs: number,
  anchorMs?: number,
): number | undefined {
  const parsed = typeof expression === 'string' ? parseOrThrow(expression, timeZone) : expression;
  switch (parsed.kind) {
    case 'at': {
      const atMs = atInstant(parsed.local, timeZone);
      return atMs > afterMs ? atMs : undefined;
    }
    case 'rate': {
      const anchor = anchorMs ?? afterMs;
      if (anchor > afterMs) return anchor;
      return anchor + (Math.floor((afterMs - anchor) / parsed.everyMs) + 1) * parsed.everyMs;
    }
    case 'cron':
      return nextCron(parsed.cron, timeZone, afterMs);
  }
}

/** The next `count` runs after `afterMs`, soonest first. */
export function nextRuns(
  expression: string | AwsExpression,
  timeZone: string,
  afterMs: number,
  count: number,
  anchorMs?: number,
): number[] {
  const runs: number[] = [];
  let after = afterMs;
  while (runs.length < count) {
    const next = nextRunAfter(expression, timeZone, after, anchorMs);
    if (next === undefined) break;
    runs.push(next);
    after = next;
  }
  return runs;
}

function nextCron(cron: Cron, timeZone: string, afterMs: number): number | undefined {
  const afterLocal = wallClock(afterMs, timeZone);
  let reference = new Date(afterMs);
  for (let i = 0; i < MAX_SKIPS; i++) {
    const next = cron.nextRun(reference);
    if (!next) return undefined;
    // croner moves a fixed time that falls in a DST gap to the end of the gap; Scheduler skips it.
    const exists = cron.match(next);
    // croner runs an interval schedule on both passes of a repeated hour; Scheduler runs once.
    const repeats = wallClock(next.getTime(), timeZone) <= afterLocal;
    if (exists && !repeats) return next.getTime();
    reference = next;
  }
  return undefined;
}

/** The wall-clock time in the zone, as if it were UTC: comparable across a DST change. */
function wallClock(ms: number, timeZone: string): number {
  const d = new CronDate(new Date(ms), timeZone);
  return Date.UTC(d.year, d.month, d.day, d.hour, d.minute, d.second);
}

/** The instant of a wall-clock time in the zone (the earlier one when it occurs twice). */
export function atInstant(local: string, timeZone: string): number {
  if (timeZone === 'UTC') return Date.parse(`${local}Z`);
  return new Cron(local, { timezone: timeZone }).getOnce()?.getTime() ?? Number.NaN;
}

function parseOrThrow(expression: string, timeZone: string): AwsExpression {
  const result = parseAwsExpression(expression, timeZone);
  if (!result.ok)
    throw new InvalidOptionsError(
      `schedule ${JSON.stringify(expression)}`,
      [result.problem],
      'WHARF_INVALID_SCHEDULE',
    );
  return result.value;
}

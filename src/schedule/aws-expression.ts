import { Cron } from 'croner';

/**
 * EventBridge Scheduler's schedule expressions, read the way Scheduler reads them: `cron(min hour dom month dow
 * year)` (day-of-week 1-7 = SUN-SAT, one of the two day fields `?`), `rate(value unit)` and `at(yyyy-mm-ddThh:mm:ss)`.
 * Every recurring schedule wharf makes is kept in this form, so the embedded engine, `cdk synth` and the ops
 * listing all compute run times from the expression Scheduler itself evaluates.
 */
export type AwsExpression =
  | { readonly kind: 'cron'; readonly fields: readonly string[]; readonly cron: Cron }
  | { readonly kind: 'rate'; readonly everyMs: number; readonly value: number; readonly unit: RateUnit }
  /** `local` is the wall-clock time in the schedule's time zone, as written. */
  | { readonly kind: 'at'; readonly local: string };

export type RateUnit = 'minute' | 'hour' | 'day';
const UNIT_MS: Record<RateUnit, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const FIELD_NAMES = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;
const FIELD_CHARS: readonly RegExp[] = [
  /^[0-9,*/-]+$/,
  /^[0-9,*/-]+$/,
  /^[0-9,*/?LW-]+$/,
  /^[0-9A-Za-z,*/-]+$/,
  /^[0-9A-Za-z,*?L#-]+$/,
  /^[0-9,*/-]+$/,
];

/** Parses an expression or returns every problem with it (an empty list means it parsed). */
export function parseAwsExpression(
  expression: string,
  timeZone = 'UTC',
): { ok: true; value: AwsExpression } | { ok: false; problem: string } {
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return parseCron(cron[1]!, timeZone);
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return parseRate(rate[1]!);
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression);
  if (at) return { ok: true, value: { kind: 'at', local: at[1]! } };
  return { ok: false, problem: `${JSON.stringify(expression)} is not cron(...), rate(...) or at(...)` };
}

function parseCron(body: string, timeZone: string) {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return fail(
      `cron(${body}) has ${fields.length} fields; EventBridge Scheduler's cron has 6: minutes hours day-of-month month day-of-week year`,
    );
  }
  const bad = fields.findIndex((field, i) => !FIELD_CHARS[i]!.test(field));
  if (bad >= 0) return fail(`cron(${body}): the ${FIELD_NAMES[bad]} field "${fields[bad]}" is not valid`);
  const [, , dom, , dow] = fields;
  if ((dom === '?') === (dow === '?')) {
    return fail(
      `cron(${body}): exactly one of day-of-month and day-of-week must be "?" (EventBridge Scheduler cannot combine them)`,
    );
  }
  try {
    // Quartz-style day numbers (1 = Sunday) and "start/step" increments, as Scheduler reads them.
    const croner = new Cron(`0 ${fields.join(' ')}`, {
      timezone: timeZone,
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
    });
    return { ok: true as const, value: { kind: 'cron' as const, fields, cron: croner } };
  } catch (error) {
    return fail(`cron(${body}): ${cronerMessage(error)}`);
  }
}

function parseRate(body: string) {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!match) return fail(`rate(${body}): expected rate(value unit) with unit minutes, hours or days`);
  const value = Number(match[1]);
  const plural = match[2]!.endsWith('s');
  if (value < 1) return fail(`rate(${body}): the value must be at least 1`);
  // Scheduler rejects "rate(1 hours)" and "rate(5 hour)".
  if ((value === 1) === plural)
    return fail(`rate(${body}): use the singular unit for 1 and the plural for more`);
  const unit = match[2]!.replace(/s$/, '') as RateUnit;
  return { ok: true as const, value: { kind: 'rate' as const, everyMs: value * UNIT_MS[unit], value, unit } };
}

function fail(problem: string) {
  return { ok: false as const, problem };
}

/** croner's messages start with its class name; keep the part that explains the field. */
export function cronerMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/^Cron(Pattern|Options)?:\s*/, '');
}

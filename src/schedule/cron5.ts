import { Cron } from 'croner';
import { cronerMessage } from './aws-expression.js';

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const ITEM = /^(\*|(\d+|[A-Za-z]{3})(-(\d+|[A-Za-z]{3}))?)(\/\d+)?$/;

/**
 * Turns a classic 5-field cron (`min hour day-of-month month day-of-week`, Sunday = 0 or 7) into the
 * EventBridge Scheduler expression that fires at the same times. Throws a message when it cannot.
 *
 * Classic cron runs a job when *either* restricted day field matches; Scheduler cannot express that (one day
 * field must be `?`), so an expression restricting both is refused rather than silently changed.
 */
export function cron5ToAws(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`expected 5 fields, received ${fields.length}`);
  for (const field of fields) {
    if (!field.split(',').every((item) => ITEM.test(item)))
      throw new Error(
        `"${field}" uses syntax a 5-field cron does not have here (use cron(...) for L, W or #)`,
      );
  }
  try {
    new Cron(fields.join(' '), { mode: '5-part' });
  } catch (error) {
    throw new Error(cronerMessage(error));
  }
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  if (dom !== '*' && dow !== '*') {
    throw new Error(
      'it restricts both day-of-month and day-of-week, which classic cron combines with OR and EventBridge ' +
        'Scheduler cannot express: use two schedules',
    );
  }
  const awsDom = dom === '*' && dow !== '*' ? '?' : numericField(dom, 1, 31);
  const awsDow = dow === '*' ? '?' : dayOfWeekField(dow);
  const awsMonth = month === '*' ? '*' : numericField(month.toUpperCase(), 1, 12);
  return `cron(${numericField(minute, 0, 59)} ${numericField(hour, 0, 23)} ${awsDom} ${awsMonth} ${awsDow} *)`;
}

/** `*` and plain values and ranges stay; `*\/n` becomes Scheduler's `start/n`; `a-b/n` becomes the list it means. */
function numericField(field: string, min: number, max: number): string {
  return field
    .split(',')
    .map((item) => {
      const [range, step] = item.split('/');
      if (step === undefined) return item;
      if (range === '*') return `${min}/${step}`;
      const [from, to] = range!.split('-').map(monthOrNumber);
      const values: number[] = [];
      for (let v = from!; v <= (to ?? max); v += Number(step)) values.push(v);
      return values.join(',');
    })
    .join(',');
}

/** Classic day numbers (0-7, Sunday twice) become Scheduler's day names, as runs (`MON-FRI`) where they can. */
function dayOfWeekField(field: string): string {
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [range, step] = item.split('/');
    const [from, to] = range === '*' ? [0, 6] : range!.split('-').map(dayNumber);
    const last = to ?? (step === undefined ? from! : 7);
    for (let d = from!; d <= last; d += Number(step ?? 1)) days.add(d % 7);
  }
  return runsOf([...days].sort((a, b) => a - b))
    .map(([a, b]) => (a === b ? DAY_NAMES[a] : `${DAY_NAMES[a]}-${DAY_NAMES[b]}`))
    .join(',');
}

/** 0-7 as written (7 is Sunday again, so "5-7" stays a range), or a day name. */
function dayNumber(token: string): number {
  const index = DAY_NAMES.indexOf(token.toUpperCase() as (typeof DAY_NAMES)[number]);
  return index >= 0 ? index : Number(token);
}

function monthOrNumber(token: string): number {
  const month = MONTH_NAMES.indexOf(token.toUpperCase());
  return month >= 0 ? month + 1 : Number(token);
}

function runsOf(sorted: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const d of sorted) {
    const last = runs.at(-1);
    if (last && last[1] === d - 1) last[1] = d;
    else runs.push([d, d]);
  }
  return runs;
}

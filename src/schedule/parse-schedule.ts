import { errorMessage, InvalidOptionsError } from '../errors.js';
import { type AwsExpression, parseAwsExpression } from './aws-expression.js';
import { cron5ToAws } from './cron5.js';
import { looksLikePhrase, phraseToCron } from './phrases.js';

/** A recurring schedule, read: the EventBridge Scheduler expression it deploys as, and what was written. */
export interface ParsedSchedule {
  /** `cron(...)` or `rate(...)`, as Scheduler evaluates it. */
  readonly expression: string;
  readonly parsed: Extract<AwsExpression, { kind: 'cron' | 'rate' }>;
  /** What the definition said ("every day at 2am"). */
  readonly source: string;
}

const HOW =
  'write a 5-field cron ("0 2 * * *"), an EventBridge Scheduler cron(...) or rate(...) expression, or a phrase ' +
  'such as "every day at 2am"';

/**
 * Reads a recurring schedule written as a 5-field cron, `cron(...)`/`rate(...)`, or a phrase. Throws
 * InvalidOptionsError (code WHARF_INVALID_SCHEDULE) saying what was received, what is wrong and how to write it.
 */
export function parseSchedule(schedule: string, timeZone = 'UTC'): ParsedSchedule {
  const problem = (why: string) =>
    new InvalidOptionsError(`schedule ${JSON.stringify(schedule)}`, [why], 'WHARF_INVALID_SCHEDULE');
  if (typeof schedule !== 'string' || schedule.trim() === '') throw problem(`it is empty: ${HOW}`);
  const text = schedule.trim();
  let expression: string;
  try {
    expression = /^(cron|rate|at)\(/.test(text)
      ? text
      : looksLikePhrase(text)
        ? phraseCron(text)
        : cron(text);
  } catch (error) {
    throw problem(errorMessage(error));
  }
  const result = parseAwsExpression(expression, timeZone);
  if (!result.ok) throw problem(result.problem);
  if (result.value.kind === 'at')
    throw problem('at(...) is a one-time schedule: use performLater with { at }');
  return { expression, parsed: result.value, source: text };
}

function phraseCron(text: string): string {
  return cron5ToAws(phraseToCron(text));
}

function cron(text: string): string {
  if (text.split(/\s+/).length !== 5) throw new Error(`it is not a schedule wharf can read: ${HOW}`);
  try {
    return cron5ToAws(text);
  } catch (error) {
    throw new Error(`as a 5-field cron: ${errorMessage(error)}`);
  }
}

/** Throws unless `timeZone` is an IANA zone this runtime knows ("Europe/Berlin", "UTC"). */
export function checkTimeZone(timeZone: string): void {
  try {
    // Node also accepts offsets ("+02:00"); Scheduler takes zone names only.
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) throw new RangeError(timeZone);
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new InvalidOptionsError(
      `time zone ${JSON.stringify(timeZone)}`,
      ['not an IANA time zone (for example "UTC", "Europe/Berlin", "America/New_York")'],
      'WHARF_INVALID_SCHEDULE',
    );
  }
}

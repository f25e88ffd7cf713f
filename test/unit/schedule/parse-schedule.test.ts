import { describe, expect, it } from 'vitest';
import { hasCode, InvalidOptionsError } from '../../../src/errors';
import { checkTimeZone, parseSchedule } from '../../../src/schedule/parse-schedule';
import { PHRASE_EXAMPLES } from '../../../src/schedule/phrases';

function problemOf(schedule: string): string {
  try {
    parseSchedule(schedule);
  } catch (error) {
    expect(hasCode(error, 'WHARF_INVALID_SCHEDULE')).toBe(true);
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return (error as InvalidOptionsError).problems.join('\n');
  }
  throw new Error(`expected ${JSON.stringify(schedule)} to be rejected`);
}

describe('parseSchedule', () => {
  describe('phrases', () => {
    it.each([
      ['every minute', 'cron(* * * * ? *)'],
      ['every 15 minutes', 'cron(0/15 * * * ? *)'],
      ['every 1 minute', 'cron(* * * * ? *)'],
      ['every hour', 'cron(0 * * * ? *)'],
      ['hourly', 'cron(0 * * * ? *)'],
      ['every hour at :30', 'cron(30 * * * ? *)'],
      ['every 6 hours', 'cron(0 0/6 * * ? *)'],
      ['every day at 2am', 'cron(0 2 * * ? *)'],
      ['every day at 2 am', 'cron(0 2 * * ? *)'],
      ['Every Day At 2AM', 'cron(0 2 * * ? *)'],
      ['daily at 12am', 'cron(0 0 * * ? *)'],
      ['every day at 12pm', 'cron(0 12 * * ? *)'],
      ['every day at 9:45pm', 'cron(45 21 * * ? *)'],
      ['every day at 14:30', 'cron(30 14 * * ? *)'],
      ['every day at 02:05', 'cron(5 2 * * ? *)'],
      ['every day at noon', 'cron(0 12 * * ? *)'],
      ['every day at midnight', 'cron(0 0 * * ? *)'],
      ['every monday at 9:30', 'cron(30 9 ? * MON *)'],
      ['every sunday at 7am', 'cron(0 7 ? * SUN *)'],
      ['every weekday at 8am', 'cron(0 8 ? * MON-FRI *)'],
      ['every weekend at 10am', 'cron(0 10 ? * SUN,SAT *)'],
      ['every month on the 1st at 3am', 'cron(0 3 1 * ? *)'],
      ['every month on the 22nd at 3am', 'cron(0 3 22 * ? *)'],
      ['every month on the 13th at 3am', 'cron(0 3 13 * ? *)'],
    ])('reads "%s" as %s', (phrase, expression) => {
      const parsed = parseSchedule(phrase);
      expect(parsed.expression).toBe(expression);
      expect(parsed.source).toBe(phrase);
    });

    it('reads every example it lists in its own error messages', () => {
      for (const example of PHRASE_EXAMPLES) expect(() => parseSchedule(example)).not.toThrow();
    });

    it.each([
      ['every 7 minutes', 'does not divide an hour evenly', 'rate(7 minutes)'],
      ['every 5 hours', 'does not divide a day evenly', 'rate(5 hours)'],
      ['every day', 'needs a time', 'every day at 2am'],
      ['every monday', 'needs a time', 'every monday at 2am'],
      ['every day at 2', 'is ambiguous', '2am, 2pm or 2:00'],
      ['every day at 25:00', 'the hour is 0 to 23', ''],
      ['every day at 13pm', 'with am/pm the hour is 1 to 12', ''],
      ['every day at 0am', 'with am/pm the hour is 1 to 12', ''],
      ['every day at 2:60', 'the minute is 0 to 59', ''],
      ['every day at teatime', 'is not a time', 'noon or midnight'],
      ['every funday at 9am', 'is not a day', 'weekday or weekend'],
      ['every hour at :75', 'the minute is 0 to 59', ''],
      ['every month on the 31st at 2am', 'days 1 to 28', 'with L for the last day'],
      ['every month on the 2st at 2am', 'write 2nd', ''],
      ['every fortnight on tuesday', 'is not a schedule phrase wharf knows', 'every day at 2am'],
    ])('rejects "%s": %s', (phrase, why, hint) => {
      const problem = problemOf(phrase);
      expect(problem).toContain(why);
      expect(problem).toContain(hint);
    });
  });

  describe('5-field cron', () => {
    it.each([
      ['0 2 * * *', 'cron(0 2 * * ? *)'],
      ['*/5 * * * *', 'cron(0/5 * * * ? *)'],
      ['0 */2 * * *', 'cron(0 0/2 * * ? *)'],
      ['0 9 * * 1-5', 'cron(0 9 ? * MON-FRI *)'],
      ['0 9 * * MON-FRI', 'cron(0 9 ? * MON-FRI *)'],
      ['0 0 * * 0', 'cron(0 0 ? * SUN *)'],
      ['0 0 * * 7', 'cron(0 0 ? * SUN *)'],
      ['0 0 * * 5-7', 'cron(0 0 ? * SUN,FRI-SAT *)'],
      ['0 0 * * */2', 'cron(0 0 ? * SUN,TUE,THU,SAT *)'],
      ['30 4 1,15 * *', 'cron(30 4 1,15 * ? *)'],
      ['0 0 1 */3 *', 'cron(0 0 1 1/3 ? *)'],
      ['0 0 1 jan,jul *', 'cron(0 0 1 JAN,JUL ? *)'],
      ['10-50/20 * * * *', 'cron(10,30,50 * * * ? *)'],
    ])('turns %s into %s', (cron, expression) => {
      expect(parseSchedule(cron).expression).toBe(expression);
    });

    it.each([
      ['0 2 1 * 1', 'cannot express: use two schedules'],
      ['61 * * * *', 'minute'],
      ['0 24 * * *', 'hour'],
      ['0 0 32 * *', 'day'],
      ['0 0 L * *', 'use cron(...) for L, W or #'],
      ['0 0 * * 1#2', 'use cron(...) for L, W or #'],
      ['5/10 * * * *', 'stepping with numeric prefix'],
    ])('rejects %s (%s)', (cron, why) => {
      expect(problemOf(cron)).toContain(why);
    });
  });

  describe('EventBridge Scheduler expressions', () => {
    it.each([
      'cron(0 2 * * ? *)',
      'cron(0/15 8-17 ? * MON-FRI *)',
      'cron(0 12 ? * 6L *)',
      'cron(0 12 ? * 2#1 *)',
      'cron(0 12 L * ? *)',
      'cron(0 12 15W * ? 2026-2030)',
      'rate(1 minute)',
      'rate(5 minutes)',
      'rate(1 day)',
      'rate(12 hours)',
    ])('accepts %s as written', (expression) => {
      expect(parseSchedule(expression).expression).toBe(expression);
    });

    it.each([
      ['cron(0 2 * * * *)', 'exactly one of day-of-month and day-of-week must be "?"'],
      ['cron(0 2 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
      ['cron(0 2 * * ?)', 'has 5 fields'],
      ['cron(0 2 * * ? * *)', 'has 7 fields'],
      ['cron(0 25 * * ? *)', 'hour'],
      ['cron(0 2 * * ? $)', 'the year field'],
      ['rate(1 hours)', 'singular unit for 1 and the plural for more'],
      ['rate(5 hour)', 'singular unit for 1 and the plural for more'],
      ['rate(0 minutes)', 'at least 1'],
      ['rate(5 seconds)', 'unit minutes, hours or days'],
      ['at(2026-01-01T00:00:00)', 'one-time schedule'],
    ])('rejects %s (%s)', (expression, why) => {
      expect(problemOf(expression)).toContain(why);
    });
  });

  it('says how to write a schedule when it cannot read one at all', () => {
    for (const nonsense of ['', '   ', 'tomorrow', '0 2 * *']) {
      const problem = problemOf(nonsense);
      expect(problem).toContain('5-field cron');
      expect(problem).toContain('every day at 2am');
    }
  });
});

describe('checkTimeZone', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'America/Argentina/Buenos_Aires'])(
    'accepts %s',
    (zone) => {
      expect(() => checkTimeZone(zone)).not.toThrow();
    },
  );

  it.each(['Mars/Olympus', '+02:00', 'Europe/', ''])('rejects %s', (zone) => {
    expect(() => checkTimeZone(zone)).toThrow(/not an IANA time zone/);
  });
});

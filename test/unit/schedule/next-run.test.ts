import { describe, expect, it } from 'vitest';
import { nextRunAfter, nextRuns } from '../../../src/schedule/next-run';
import { parseSchedule } from '../../../src/schedule/parse-schedule';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

/** The next `count` runs of a schedule read in `zone`, as UTC ISO strings. */
function runs(schedule: string, zone: string, after: string, count: number): string[] {
  return nextRuns(parseSchedule(schedule, zone).parsed, zone, at(after), count).map(iso);
}

describe('nextRunAfter', () => {
  it('is strictly after the time given, in the schedule time zone', () => {
    expect(runs('every day at 2am', 'Europe/Berlin', '2026-01-10T01:00:00Z', 2)).toEqual([
      '2026-01-11T01:00:00.000Z',
      '2026-01-12T01:00:00.000Z',
    ]);
    const firing = at('2026-01-11T01:00:00Z');
    expect(iso(nextRunAfter('cron(0 2 * * ? *)', 'Europe/Berlin', firing)!)).toBe('2026-01-12T01:00:00.000Z');
  });

  describe('Europe/Berlin (clocks go forward 2026-03-29 02:00, back 2026-10-25 03:00)', () => {
    it('skips a time that does not exist on the spring-forward night, as Scheduler does', () => {
      expect(runs('every day at 2:30am', 'Europe/Berlin', '2026-03-27T12:00:00Z', 3)).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET
        '2026-03-30T00:30:00.000Z', // 02:30 CEST; 2026-03-29 02:30 never happened
        '2026-03-31T00:30:00.000Z',
      ]);
    });

    it('keeps the wall-clock time across the change (an hour earlier in UTC)', () => {
      expect(runs('every day at 9am', 'Europe/Berlin', '2026-03-28T12:00:00Z', 2)).toEqual([
        '2026-03-29T07:00:00.000Z', // 09:00 CEST
        '2026-03-30T07:00:00.000Z',
      ]);
    });

    it('fires once at a time that occurs twice on the fall-back night', () => {
      expect(runs('every day at 2:30am', 'Europe/Berlin', '2026-10-24T12:00:00Z', 3)).toEqual([
        '2026-10-25T00:30:00.000Z', // the first 02:30 (CEST); the second (01:30Z, CET) does not fire
        '2026-10-26T01:30:00.000Z',
        '2026-10-27T01:30:00.000Z',
      ]);
    });
  });

  describe('America/New_York (clocks go forward 2026-03-08 02:00, back 2026-11-01 02:00)', () => {
    it('skips 2:30am on the spring-forward day', () => {
      expect(runs('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00Z', 2)).toEqual([
        '2026-03-09T06:30:00.000Z',
        '2026-03-10T06:30:00.000Z',
      ]);
    });

    it('runs an every-15-minutes schedule once per wall-clock time through the repeated hour', () => {
      expect(runs('every 15 minutes', 'America/New_York', '2026-11-01T05:00:00Z', 5)).toEqual([
        '2026-11-01T05:15:00.000Z', // 01:15 EDT
        '2026-11-01T05:30:00.000Z',
        '2026-11-01T05:45:00.000Z', // 01:45 EDT; 01:00-01:45 EST come again and are not repeated
        '2026-11-01T07:00:00.000Z', // 02:00 EST
        '2026-11-01T07:15:00.000Z',
      ]);
    });

    it('runs 1:30am once on the fall-back night', () => {
      expect(runs('cron(30 1 * * ? *)', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual([
        '2026-11-01T05:30:00.000Z', // 01:30 EDT
        '2026-11-02T06:30:00.000Z', // 01:30 EST
      ]);
    });
  });

  it('reads Scheduler day numbers (1 = Sunday) and L, #', () => {
    expect(runs('cron(0 12 ? * 1 *)', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-04T12:00:00.000Z',
    ]);
    expect(runs('cron(0 12 ? * 6L *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-30T12:00:00.000Z', // the last Friday of January
      '2026-02-27T12:00:00.000Z',
    ]);
    expect(runs('cron(0 12 ? * 2#1 *)', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-01-05T12:00:00.000Z',
    ]);
  });

  it('counts a rate from its start, and fires at the start when that is still ahead', () => {
    const start = at('2026-01-01T00:00:00Z');
    expect(iso(nextRunAfter('rate(5 minutes)', 'UTC', start - 1, start)!)).toBe('2026-01-01T00:00:00.000Z');
    expect(iso(nextRunAfter('rate(5 minutes)', 'UTC', start, start)!)).toBe('2026-01-01T00:05:00.000Z');
    expect(iso(nextRunAfter('rate(5 minutes)', 'UTC', at('2026-01-01T00:07:00Z'), start)!)).toBe(
      '2026-01-01T00:10:00.000Z',
    );
  });

  it('gives a one-time at() its instant in the zone until it has passed, then nothing', () => {
    expect(iso(nextRunAfter('at(2026-05-01T09:00:00)', 'UTC', at('2026-04-01T00:00:00Z'))!)).toBe(
      '2026-05-01T09:00:00.000Z',
    );
    expect(iso(nextRunAfter('at(2026-05-01T09:00:00)', 'Europe/Berlin', at('2026-04-01T00:00:00Z'))!)).toBe(
      '2026-05-01T07:00:00.000Z',
    );
    expect(nextRunAfter('at(2026-05-01T09:00:00)', 'UTC', at('2026-05-01T09:00:00Z'))).toBeUndefined();
  });

  it('ends with the last year a cron names', () => {
    expect(runs('cron(0 0 1 1 ? 2027)', 'UTC', '2026-06-01T00:00:00Z', 3)).toEqual([
      '2027-01-01T00:00:00.000Z',
    ]);
  });
});

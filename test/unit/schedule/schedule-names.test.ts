import { describe, expect, it } from 'vitest';
import {
  oneTimeScheduleName,
  recurringScheduleName,
  SCHEDULE_NAME_PATTERN,
} from '../../../src/schedule/schedule-names';

const valid = (name: string) => SCHEDULE_NAME_PATTERN.test(name) && name.length <= 64;

describe('schedule names', () => {
  it('use a job id as it is when it fits and has only allowed characters', () => {
    expect(oneTimeScheduleName('0b1c2d3e-4f50-4a1b-9c2d-3e4f5a6b7c8d')).toBe(
      'job.0b1c2d3e-4f50-4a1b-9c2d-3e4f5a6b7c8d',
    );
    expect(recurringScheduleName('nightly-cleanup')).toBe('recurring.nightly-cleanup');
  });

  it('stay within 64 characters of [0-9a-zA-Z-_.] for a 300-character job id, keeping a readable head', () => {
    const id = `invoice-reminder:${'x'.repeat(283)}`;
    const name = oneTimeScheduleName(id);
    expect(id).toHaveLength(300);
    expect(valid(name)).toBe(true);
    expect(name.startsWith('job.invoice-reminder_xxx')).toBe(true);
    expect(name).toMatch(/\.\.[0-9a-f]{20}$/);
  });

  it('hash ids with characters Scheduler does not allow, so "a/b" and "a_b" do not collide', () => {
    expect(oneTimeScheduleName('a/b')).not.toBe(oneTimeScheduleName('a_b'));
    expect(oneTimeScheduleName('a_b')).toBe('job.a_b');
    for (const id of ['a/b', 'chargeCard:o-1', 'ünïcödé', 'with space', 'émoji 🎉', '..', 'a..b']) {
      expect(valid(oneTimeScheduleName(id))).toBe(true);
    }
  });

  it('are the same for the same id (cancel and reschedule find the schedule from the id alone)', () => {
    const id = `order:${'7'.repeat(200)}`;
    expect(oneTimeScheduleName(id)).toBe(oneTimeScheduleName(id));
    expect(oneTimeScheduleName(id)).not.toBe(oneTimeScheduleName(`${id}8`));
  });

  it('never let a verbatim id take the name of a hashed one', () => {
    const hashed = oneTimeScheduleName('a/b');
    const lookalike = hashed.slice('job.'.length);
    expect(oneTimeScheduleName(lookalike)).not.toBe(hashed);
  });

  it('give a retry its own name, also for the longest ids', () => {
    expect(oneTimeScheduleName('job-1', 2)).toBe('job.job-1.r2');
    const long = 'y'.repeat(300);
    for (const attempt of [2, 999, 1000]) {
      const name = oneTimeScheduleName(long, attempt);
      expect(valid(name)).toBe(true);
      expect(name.endsWith(`.r${attempt}`)).toBe(true);
      expect(name.startsWith(oneTimeScheduleName(long))).toBe(true);
    }
  });

  it('hash long recurring task keys too', () => {
    const name = recurringScheduleName(`reminder:${'u'.repeat(119)}`);
    expect(valid(name)).toBe(true);
    expect(name.startsWith('recurring.reminder_uuu')).toBe(true);
  });
});

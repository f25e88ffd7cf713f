import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../../src/define-job';
import { decodeEnvelope } from '../../../src/envelope/decode';
import { hasCode, InvalidOptionsError } from '../../../src/errors';
import { createRegistry } from '../../../src/job/registry';
import { substituteContextAttributes } from '../../../src/schedule/context-attributes';
import {
  defineRecurring,
  firingTemplate,
  isActiveIn,
  type RecurringOptions,
  toRecurringSchedule,
} from '../../../src/schedule/define-recurring';

const cleanup = defineJob({
  name: 'cleanup',
  queue: 'maintenance',
  idempotency: 'off',
  schema: z.object({ olderThanDays: z.number().int().min(0) }),
  perform: () => undefined,
});

function problemsOf(options: RecurringOptions<typeof cleanup.schema>): readonly string[] {
  try {
    defineRecurring(options);
  } catch (error) {
    expect(hasCode(error, 'WHARF_INVALID_SCHEDULE')).toBe(true);
    return (error as InvalidOptionsError).problems;
  }
  throw new Error('expected the definition to be rejected');
}

describe('defineRecurring', () => {
  it('reads the schedule in its time zone and keeps the payload as every firing will carry it', () => {
    const task = defineRecurring({
      task: 'nightly-cleanup',
      job: cleanup,
      payload: { olderThanDays: 30 },
      schedule: 'every day at 2am',
      timeZone: 'Europe/Berlin',
    });
    expect(task).toMatchObject({
      task: 'nightly-cleanup',
      payload: { olderThanDays: 30 },
      timeZone: 'Europe/Berlin',
      enabled: true,
      schedule: { expression: 'cron(0 2 * * ? *)', source: 'every day at 2am' },
    });
    expect(task.environments).toBeUndefined();
  });

  it('defaults to UTC, enabled, every environment', () => {
    const task = defineRecurring({
      task: 't',
      job: cleanup,
      payload: { olderThanDays: 1 },
      schedule: 'rate(1 hour)',
    });
    expect([task.timeZone, task.enabled, isActiveIn(task, undefined), isActiveIn(task, 'prod')]).toEqual([
      'UTC',
      true,
      true,
      true,
    ]);
  });

  it('reports every problem at once, each saying what was received', () => {
    const problems = problemsOf({
      task: '1-bad key',
      job: cleanup,
      payload: { olderThanDays: -1 },
      schedule: 'every 7 minutes',
      timeZone: 'Mars/Olympus',
      // @ts-expect-error an unknown option is reported, not ignored
      every: 'day',
    });
    expect(problems).toEqual([
      'unknown option "every" (known: task, job, payload, schedule, timeZone, enabled, environments, description)',
      'task: expected 1-128 letters, digits, ".", "_", ":" or "-" starting with a letter, received "1-bad key"',
      expect.stringMatching(/^timeZone "Mars\/Olympus": not an IANA time zone/),
      expect.stringMatching(/^schedule "every 7 minutes": "every 7 minutes" does not divide an hour evenly/),
      expect.stringMatching(/^job: the payload does not match its schema: olderThanDays: /),
    ]);
  });

  it('rejects a payload that is not JSON and a job that defineJob did not make', () => {
    expect(
      problemsOf({
        task: 't',
        job: cleanup,
        payload: { olderThanDays: 1n as never },
        schedule: 'every hour',
      }),
    ).toEqual([expect.stringMatching(/^job: .*BigInt/)]);
    expect(
      problemsOf({
        task: 't',
        job: { name: 'x' } as never,
        payload: { olderThanDays: 1 },
        schedule: 'every hour',
      }),
    ).toEqual(['job: expected a job made by defineJob']);
  });

  it('is active only when enabled and, with environments, only in those', () => {
    const base = { job: cleanup, payload: { olderThanDays: 1 }, schedule: 'every hour' };
    const prodOnly = defineRecurring({ ...base, task: 'p', environments: ['production'] });
    const off = defineRecurring({ ...base, task: 'o', enabled: false });
    expect([
      isActiveIn(prodOnly, 'production'),
      isActiveIn(prodOnly, 'staging'),
      isActiveIn(prodOnly, undefined),
    ]).toEqual([true, false, false]);
    expect(isActiveIn(off, undefined)).toBe(false);
  });
});

describe('a firing', () => {
  const task = defineRecurring({
    task: 'nightly-cleanup',
    job: cleanup,
    payload: { olderThanDays: 30 },
    schedule: 'every day at 2am',
    timeZone: 'Europe/Berlin',
  });

  it('decodes once Scheduler has filled in the scheduled time, with the times taken from it', () => {
    const template = firingTemplate(task);
    expect(() => JSON.parse(template)).not.toThrow(); // valid JSON before substitution too (placeholders in strings)
    const body = substituteContextAttributes(template, {
      scheduledTimeMs: Date.UTC(2026, 2, 28, 1),
      scheduleArn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/g/recurring.nightly-cleanup',
      executionId: 'd32c5kddcf5bb8c3',
      attemptNumber: 2,
    });
    const decoded = decodeEnvelope(body);
    expect(decoded).toEqual({
      ok: true,
      envelope: {
        v: 1,
        id: 'recurring:nightly-cleanup:2026-03-28T01:00:00Z',
        job: 'cleanup',
        payload: { olderThanDays: 30 },
        attempt: 1,
        firing: { task: 'nightly-cleanup', at: '2026-03-28T01:00:00Z' },
        createdAtMs: Date.UTC(2026, 2, 28, 1),
        enqueuedAtMs: Date.UTC(2026, 2, 28, 1),
      },
    });
  });

  it('has the same job id on every attempt of one firing, never the execution id', () => {
    const fill = (executionId: string, attemptNumber: number) =>
      substituteContextAttributes(firingTemplate(task), {
        scheduledTimeMs: Date.UTC(2026, 2, 28, 1),
        scheduleArn: 'arn',
        executionId,
        attemptNumber,
      });
    expect(JSON.parse(fill('a', 1)).id).toBe(JSON.parse(fill('b', 7)).id);
  });

  it('is refused when its firing is not { task, at } with a time', () => {
    for (const firing of [{ task: '', at: '2026-01-01T00:00:00Z' }, { task: 't', at: 'yesterday' }, 'x']) {
      const result = decodeEnvelope(
        JSON.stringify({ v: 1, id: 'i', job: 'j', payload: {}, attempt: 1, firing }),
      );
      expect(result).toMatchObject({ ok: false, reason: 'malformed-body' });
    }
  });

  it('becomes the schedule the CDK construct and the runtime API create', () => {
    expect(toRecurringSchedule(task)).toEqual({
      task: 'nightly-cleanup',
      jobName: 'cleanup',
      queue: 'maintenance',
      expression: 'cron(0 2 * * ? *)',
      timeZone: 'Europe/Berlin',
      bodyTemplate: firingTemplate(task),
      description: 'wharf recurring task nightly-cleanup: every day at 2am (Europe/Berlin)',
    });
  });
});

describe('createRegistry with recurring tasks', () => {
  const task = defineRecurring({
    task: 'a',
    job: cleanup,
    payload: { olderThanDays: 1 },
    schedule: 'every hour',
  });

  it('keeps them beside the jobs', () => {
    expect(createRegistry([cleanup], { recurring: [task] }).recurring).toEqual([task]);
    expect(createRegistry([cleanup]).recurring).toEqual([]);
  });

  it('refuses a task twice, or one whose job is not registered', () => {
    const other = defineJob({ name: 'other', schema: z.unknown(), perform: () => undefined });
    const stray = defineRecurring({ task: 'b', job: other, schedule: 'every hour' });
    expect(() => createRegistry([cleanup], { recurring: [task, task, stray] })).toThrow(
      new InvalidOptionsError(
        'job registry',
        [
          'recurring task "a" is defined twice',
          'recurring task "b" runs job "other", which is not in the registry',
        ],
        'WHARF_INVALID_DEFINITION',
      ),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/local/manual-clock';
import { createMemoryScheduler, type ScheduleFiring } from '../../../src/schedule/memory-scheduler';
import { createMemoryTransport } from '../../../src/transport/memory';

const START = Date.UTC(2026, 0, 5, 12); // a Monday, noon UTC
const HOUR = 3_600_000;

function setup() {
  const clock = createManualClock(START);
  const transport = createMemoryTransport({ clock, queues: ['default'] });
  const fired: ScheduleFiring[] = [];
  const scheduler = createMemoryScheduler({ transport, clock, onFire: (f) => fired.push(f) });
  return { clock, transport, scheduler, fired };
}

const template =
  '{"id":"recurring:t:<aws.scheduler.scheduled-time>","arn":"<aws.scheduler.schedule-arn>",' +
  '"execution":"<aws.scheduler.execution-id>","attempt":"<aws.scheduler.attempt-number>"}';

describe('the in-memory scheduler', () => {
  it('delivers a one-time schedule at its time, not before, as Scheduler does: the body alone, once', async () => {
    const { clock, transport, scheduler, fired } = setup();
    const body = '{"id":"job-1"}';
    await scheduler.scheduleAt({
      jobId: 'job-1',
      attempt: 1,
      jobName: 'j',
      queue: 'default',
      runAtMs: START + HOUR,
      body,
    });
    expect(scheduler.nextOneTimeAtMs()).toBe(START + HOUR);
    clock.advanceTo(START + HOUR - 1);
    expect(await scheduler.fireDue()).toBe(0);
    clock.advanceTo(START + HOUR);
    expect(await scheduler.fireDue()).toBe(1);
    expect(transport.peek('default').map((m) => [m.body, m.attributes])).toEqual([[body, {}]]);
    expect(fired).toEqual([
      { name: 'job.job-1', kind: 'one-time', queue: 'default', scheduledAtMs: START + HOUR, jobId: 'job-1' },
    ]);
    // ActionAfterCompletion DELETE: gone once delivered.
    expect(await scheduler.getJob('job-1')).toBeUndefined();
    expect(scheduler.nextOneTimeAtMs()).toBeUndefined();
    expect(await scheduler.fireDue()).toBe(0);
  });

  it('fires a recurring schedule at each of its times, filling in the context attributes', async () => {
    const { clock, transport, scheduler } = setup();
    await scheduler.upsertRecurring({
      task: 't',
      jobName: 'j',
      queue: 'default',
      expression: 'cron(0 14 * * ? *)',
      timeZone: 'Europe/Berlin',
      bodyTemplate: template,
    });
    expect(scheduler.nextRecurringAtMs('t')).toBe(START + HOUR); // 14:00 in Berlin is 13:00 UTC in January
    clock.advanceTo(START + HOUR);
    await scheduler.fireDue();
    clock.advanceTo(START + 25 * HOUR);
    await scheduler.fireDue();
    const bodies = transport.peek('default').map((m) => JSON.parse(m.body));
    expect(bodies.map((b) => [b.id, b.arn, b.attempt])).toEqual([
      ['recurring:t:2026-01-05T13:00:00Z', 'memory:schedule/recurring.t', '1'],
      ['recurring:t:2026-01-06T13:00:00Z', 'memory:schedule/recurring.t', '1'],
    ]);
    expect(bodies[0].execution).not.toBe(bodies[1].execution);
    expect(scheduler.nextRecurringAtMs('t')).toBe(START + 49 * HOUR);
  });

  it('starts a rate schedule at once and fires it every interval from there', async () => {
    const { clock, transport, scheduler } = setup();
    await scheduler.upsertRecurring({
      task: 'r',
      jobName: 'j',
      queue: 'default',
      expression: 'rate(2 hours)',
      timeZone: 'UTC',
      bodyTemplate: template,
    });
    for (const hours of [0, 2, 4]) {
      clock.advanceTo(START + hours * HOUR);
      expect(await scheduler.fireDue()).toBe(1);
    }
    expect(transport.peek('default').map((m) => JSON.parse(m.body).id)).toEqual([
      'recurring:t:2026-01-05T12:00:00Z',
      'recurring:t:2026-01-05T14:00:00Z',
      'recurring:t:2026-01-05T16:00:00Z',
    ]);
  });

  it('keeps a delivery the queue refused due, and delivers it on the next call (Scheduler retries)', async () => {
    const { clock, transport, scheduler } = setup();
    await scheduler.scheduleAt({
      jobId: 'j1',
      attempt: 1,
      jobName: 'j',
      queue: 'default',
      runAtMs: START,
      body: '{}',
    });
    clock.advanceTo(START);
    transport.failNextSends(1);
    expect(await scheduler.fireDue()).toBe(0);
    expect(await scheduler.getJob('j1')).toBeDefined();
    expect(await scheduler.fireDue()).toBe(1);
    expect(transport.peek('default')).toHaveLength(1);
  });

  it('starts with the recurring schedules it is given', () => {
    const clock = createManualClock(START);
    const scheduler = createMemoryScheduler({
      clock,
      transport: createMemoryTransport({ clock }),
      recurring: [
        {
          task: 'a',
          jobName: 'j',
          queue: 'q',
          expression: 'cron(30 12 * * ? *)',
          timeZone: 'UTC',
          bodyTemplate: '{}',
        },
      ],
    });
    expect(scheduler.nextRecurringAtMs()).toBe(START + HOUR / 2);
    expect(scheduler.nextRecurringAtMs('missing')).toBeUndefined();
  });
});

import { CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import { createMemoryScheduler } from '../../src/schedule/memory-scheduler';
import { oneTimeScheduleName, SCHEDULE_NAME_PATTERN } from '../../src/schedule/schedule-names';
import type { JobScheduler, OneTimeSchedule, RecurringSchedule } from '../../src/schedule/types';
import { createMemoryTransport } from '../../src/transport/memory';
import { schedulerClient, uniqueName } from '../helpers/aws';

/**
 * One suite, two adapters of the scheduling port: in memory, and EventBridge Scheduler on moto server. moto keeps
 * schedules (CRUD) but never fires them; firing is covered by the memory adapter's own tests and, for the AWS path,
 * by test/integration/scheduler-aws.test.ts, which delivers a schedule's own Input to the queue.
 */
interface World {
  readonly scheduler: JobScheduler;
  readonly clock: ManualClock;
}

const ACCOUNT = '123456789012';
const QUEUES = {
  default: {
    arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs-default`,
    deadLetterArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs-default-dlq`,
  },
};
const clients: SchedulerClient[] = [];

const adapters: { name: string; setup: () => Promise<World> }[] = [
  {
    name: 'in memory',
    setup: async () => {
      const clock = createManualClock(Date.now());
      const transport = createMemoryTransport({ clock, queues: ['default'] });
      return { clock, scheduler: createMemoryScheduler({ transport, clock }) };
    },
  },
  {
    name: 'EventBridge Scheduler on moto',
    setup: async () => {
      const client = schedulerClient();
      clients.push(client);
      const groupName = uniqueName('wharf');
      // moto errors on a schedule in a group that does not exist; the CDK construct creates the group.
      await client.send(new CreateScheduleGroupCommand({ Name: groupName }));
      const clock = createManualClock(Date.now());
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/wharf-scheduler`;
      return {
        clock,
        scheduler: createEventBridgeScheduler({ client, groupName, roleArn, queues: QUEUES, clock }),
      };
    },
  },
];

afterAll(() => {
  for (const client of clients) client.destroy();
});

const HOUR = 3_600_000;

describe.each(adapters)('scheduling port: $name', ({ setup }) => {
  let w: World;
  beforeEach(async () => {
    w = await setup();
  });

  const oneTime = (jobId: string, overrides: Partial<OneTimeSchedule> = {}): OneTimeSchedule => ({
    jobId,
    attempt: 1,
    jobName: 'send-invoice',
    queue: 'default',
    runAtMs: w.clock.nowMs() + 3 * HOUR + 400,
    body: JSON.stringify({ v: 1, id: jobId, job: 'send-invoice', payload: { n: 1 }, attempt: 1 }),
    ...overrides,
  });
  const atOf = (ms: number) => `at(${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)})`;

  it('creates a one-time schedule in UTC, to the second rounded up, that getJob and list return', async () => {
    const s = oneTime('job-1');
    expect(await w.scheduler.scheduleAt(s)).toBe('created');
    const record = await w.scheduler.getJob('job-1');
    expect(record).toMatchObject({
      name: 'job.job-1',
      kind: 'one-time',
      queue: 'default',
      expression: atOf(s.runAtMs),
      timeZone: 'UTC',
      enabled: true,
      body: s.body,
      description: 'wharf job send-invoice job-1',
    });
    expect((await w.scheduler.list()).records.map((r) => r.name)).toEqual(['job.job-1']);
  });

  it('keeps a schedule that is still due when the same job is scheduled again (one job id, one job)', async () => {
    const first = oneTime('job-1');
    await w.scheduler.scheduleAt(first);
    const again = oneTime('job-1', { runAtMs: first.runAtMs + HOUR, body: '{"other":true}' });
    expect(await w.scheduler.scheduleAt(again)).toBe('exists');
    expect(await w.scheduler.getJob('job-1')).toMatchObject({
      expression: atOf(first.runAtMs),
      body: first.body,
    });
  });

  it('replaces a schedule whose time has passed (it fired; Scheduler deletes it shortly after)', async () => {
    const first = oneTime('job-1');
    await w.scheduler.scheduleAt(first);
    w.clock.advance(4 * HOUR);
    const next = oneTime('job-1', { body: '{"next":true}' });
    expect(await w.scheduler.scheduleAt(next)).toBe('created');
    expect(await w.scheduler.getJob('job-1')).toMatchObject({
      expression: atOf(next.runAtMs),
      body: next.body,
    });
  });

  it('gives a retry waiting out a long backoff its own schedule', async () => {
    await w.scheduler.scheduleAt(oneTime('job-1'));
    expect(await w.scheduler.scheduleAt(oneTime('job-1', { attempt: 2, body: '{"attempt":2}' }))).toBe(
      'created',
    );
    expect(await w.scheduler.getJob('job-1', 2)).toMatchObject({
      name: 'job.job-1.r2',
      body: '{"attempt":2}',
    });
    expect((await w.scheduler.getJob('job-1'))?.name).toBe('job.job-1');
  });

  it('cancels a pending schedule once, then says there is none', async () => {
    await w.scheduler.scheduleAt(oneTime('job-1'));
    expect(await w.scheduler.cancel('job-1')).toBe(true);
    expect(await w.scheduler.getJob('job-1')).toBeUndefined();
    expect(await w.scheduler.cancel('job-1')).toBe(false);
    expect(await w.scheduler.cancel('never-scheduled')).toBe(false);
  });

  it('moves a pending schedule to a new time with a new body, and says when there is none to move', async () => {
    await w.scheduler.scheduleAt(oneTime('job-1'));
    const later = w.clock.nowMs() + 48 * HOUR;
    expect(await w.scheduler.reschedule('job-1', later, '{"moved":true}')).toBe(true);
    expect(await w.scheduler.getJob('job-1')).toMatchObject({
      kind: 'one-time',
      queue: 'default',
      expression: atOf(later),
      body: '{"moved":true}',
    });
    expect(await w.scheduler.reschedule('missing', later, '{}')).toBe(false);
  });

  it('names the schedule of a 300-character job id within Scheduler limits and finds it by the id', async () => {
    const id = `reminder:${'é'.repeat(50)}:${'x'.repeat(240)}`;
    expect(id).toHaveLength(300);
    await w.scheduler.scheduleAt(oneTime(id));
    const record = await w.scheduler.getJob(id);
    expect(record?.name).toBe(oneTimeScheduleName(id));
    expect(record!.name.length).toBeLessThanOrEqual(64);
    expect(record!.name).toMatch(SCHEDULE_NAME_PATTERN);
    expect(await w.scheduler.cancel(id)).toBe(true);
  });

  it('takes bodies up to the 256 KB a schedule input holds, not more', () => {
    expect(w.scheduler.accepts('default', 262_144)).toBe(true);
    expect(w.scheduler.accepts('default', 262_145)).toBe(false);
  });

  const recurring = (overrides: Partial<RecurringSchedule> = {}): RecurringSchedule => ({
    task: 'nightly-cleanup',
    jobName: 'cleanup',
    queue: 'default',
    expression: 'cron(0 2 * * ? *)',
    timeZone: 'Europe/Berlin',
    bodyTemplate: '{"id":"recurring:nightly-cleanup:<aws.scheduler.scheduled-time>"}',
    description: 'nightly',
    ...overrides,
  });

  it('creates a recurring schedule, then updates it in place', async () => {
    expect(await w.scheduler.upsertRecurring(recurring())).toBe('created');
    expect(await w.scheduler.getRecurring('nightly-cleanup')).toMatchObject({
      name: 'recurring.nightly-cleanup',
      kind: 'recurring',
      queue: 'default',
      expression: 'cron(0 2 * * ? *)',
      timeZone: 'Europe/Berlin',
      enabled: true,
      body: recurring().bodyTemplate,
      description: 'nightly',
    });
    expect(
      await w.scheduler.upsertRecurring(recurring({ expression: 'rate(6 hours)', timeZone: 'UTC' })),
    ).toBe('updated');
    expect(await w.scheduler.getRecurring('nightly-cleanup')).toMatchObject({
      expression: 'rate(6 hours)',
      timeZone: 'UTC',
    });
    expect((await w.scheduler.list()).records).toHaveLength(1);
  });

  it('deletes a recurring schedule once, then says there is none', async () => {
    await w.scheduler.upsertRecurring(recurring());
    expect(await w.scheduler.deleteRecurring('nightly-cleanup')).toBe(true);
    expect(await w.scheduler.getRecurring('nightly-cleanup')).toBeUndefined();
    expect(await w.scheduler.deleteRecurring('nightly-cleanup')).toBe(false);
  });

  it('lists one-time and recurring schedules a page at a time', async () => {
    await w.scheduler.scheduleAt(oneTime('a'));
    await w.scheduler.scheduleAt(oneTime('b'));
    await w.scheduler.upsertRecurring(recurring());
    const first = await w.scheduler.list({ limit: 2 });
    expect(first.records).toHaveLength(2);
    expect(first.cursor).toBeDefined();
    const second = await w.scheduler.list({ limit: 2, cursor: first.cursor });
    expect(second.cursor).toBeUndefined();
    const all = [...first.records, ...second.records];
    expect(all.map((r) => [r.name, r.kind]).sort()).toEqual([
      ['job.a', 'one-time'],
      ['job.b', 'one-time'],
      ['recurring.nightly-cleanup', 'recurring'],
    ]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { decodeEnvelope } from '../../src/envelope/decode';
import { RetryAfterError } from '../../src/errors';
import { defineRecurring } from '../../src/schedule/define-recurring';
import { oneTimeScheduleName, SCHEDULE_NAME_PATTERN } from '../../src/schedule/schedule-names';
import { createSchedulerWorld, ROLE_ARN, type SchedulerWorld } from '../helpers/scheduler-world';

/**
 * Long delays, cancel, reschedule and recurring firings on the AWS path, against moto server: the client and the
 * Lambda handler talk to moto's EventBridge Scheduler, SQS and DynamoDB. moto stores schedules but never fires
 * them, so a firing is played the way Scheduler performs it: the schedule's own target Input, read back with
 * GetSchedule, context attributes substituted, sent to the target queue (see SchedulerWorld.fire).
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const atOf = (ms: number) => `at(${new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19)})`;

describe('scheduling on AWS (moto server)', () => {
  let w: SchedulerWorld;
  let runs: { jobId: string; attempt: number; payload: unknown }[];
  let retryFirst: boolean;

  const invoice = defineJob({
    name: 'send-invoice',
    schema: z.object({ invoiceId: z.string() }),
    idempotency: 'exactly-once',
    perform: (payload, ctx) => {
      runs.push({ jobId: ctx.jobId, attempt: ctx.attempt, payload });
      if (retryFirst && ctx.attempt === 1) throw new RetryAfterError(2 * HOUR);
    },
  });
  const cleanup = defineJob({
    name: 'cleanup',
    schema: z.object({ olderThanDays: z.number() }),
    idempotency: 'off',
    perform: (payload, ctx) => void runs.push({ jobId: ctx.jobId, attempt: ctx.attempt, payload }),
  });

  beforeEach(async () => {
    runs = [];
    retryFirst = false;
    w = await createSchedulerWorld([invoice, cleanup]);
  });
  afterEach(() => w.teardown());

  it('turns a 3-day delay into a one-time schedule with everything Scheduler needs, and sends nothing to SQS', async () => {
    const job = await w.client.enqueue(invoice.with({ invoiceId: 'inv-1' }, { delay: '3d', jobId: 'inv-1' }));
    expect(job).toMatchObject({ jobId: 'inv-1', via: 'scheduler', runAtMs: w.clock.nowMs() + 3 * DAY });
    const schedule = await w.getSchedule('job.inv-1');
    expect(schedule).toMatchObject({
      Name: 'job.inv-1',
      GroupName: w.groupName,
      ScheduleExpression: atOf(w.clock.nowMs() + 3 * DAY),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Description: 'wharf job send-invoice inv-1',
      Target: {
        Arn: w.queue.arn,
        RoleArn: ROLE_ARN,
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: w.queue.deadLetterArn },
      },
    });
    expect(decodeEnvelope(schedule.Target!.Input!)).toMatchObject({
      ok: true,
      envelope: {
        id: 'inv-1',
        job: 'send-invoice',
        payload: { invoiceId: 'inv-1' },
        attempt: 1,
        runAtMs: job.runAtMs,
      },
    });
    expect(await w.queueCounts()).toEqual({ visible: 0, delayed: 0 });
  });

  it('sends a delay of 15 minutes or less, and a time in the past, straight to SQS, creating no schedule', async () => {
    const soon = await w.client.enqueue(invoice.with({ invoiceId: 'a' }, { delay: '10m' }));
    const past = await w.client.enqueue(
      invoice.with({ invoiceId: 'b' }, { at: new Date(w.clock.nowMs() - HOUR) }),
    );
    expect([soon.via, past.via]).toEqual(['queue', 'queue']);
    expect(await w.queueCounts()).toEqual({ visible: 1, delayed: 1 });
    expect(await w.scheduleNames()).toEqual([]);
    expect(w.sent.filter((r) => r.command === 'CreateScheduleCommand')).toEqual([]);
  });

  it('enqueues a mix of horizons in bulk: SQS batches for the near ones, one schedule for each far one', async () => {
    const result = await w.client.enqueueMany([
      invoice.with({ invoiceId: 'now' }, { jobId: 'now' }),
      invoice.with({ invoiceId: 'tomorrow' }, { delay: '1d', jobId: 'tomorrow' }),
      invoice.with({ invoiceId: 'soon' }, { delay: '5m', jobId: 'soon' }),
      invoice.with({ invoiceId: 'next-week' }, { delay: '7d', jobId: 'next-week' }),
    ]);
    expect(result.failed).toEqual([]);
    expect(result.enqueued.map((j) => [j.jobId, j.via])).toEqual([
      ['now', 'queue'],
      ['tomorrow', 'scheduler'],
      ['soon', 'queue'],
      ['next-week', 'scheduler'],
    ]);
    expect((await w.scheduleNames()).sort()).toEqual(['job.next-week', 'job.tomorrow']);
    expect(await w.queueCounts()).toEqual({ visible: 1, delayed: 1 });
  });

  it('cancels a scheduled job by deleting its schedule; a second cancel says there was nothing to cancel', async () => {
    await w.client.enqueue(invoice.with({ invoiceId: 'inv-1' }, { delay: '2d', jobId: 'inv-1' }));
    expect(await w.client.cancel('inv-1')).toEqual({
      outcome: 'cancelled',
      jobId: 'inv-1',
      where: 'schedule',
    });
    await expect(w.getSchedule('job.inv-1')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // This client has no job table, so a job on its queue could not be stopped: said, not "cancelled".
    expect(await w.client.cancel('inv-1')).toMatchObject({
      outcome: 'not-cancelled',
      jobId: 'inv-1',
      reason: expect.stringContaining('no job table is configured'),
    });
  });

  it('reschedules by updating the schedule (time and input), keeping ActionAfterCompletion DELETE', async () => {
    await w.client.enqueue(invoice.with({ invoiceId: 'inv-1' }, { delay: '2d', jobId: 'inv-1' }));
    const at = new Date(w.clock.nowMs() + 9 * DAY);
    expect(await w.client.reschedule('inv-1', { at })).toMatchObject({
      outcome: 'rescheduled',
      via: 'scheduler',
    });
    const schedule = await w.getSchedule('job.inv-1');
    expect(schedule.ScheduleExpression).toBe(atOf(at.getTime()));
    expect(JSON.parse(schedule.Target!.Input!)).toMatchObject({ id: 'inv-1', runAtMs: at.getTime() });
    // UpdateSchedule replaces the whole definition: what is left out falls back to the default (NONE for
    // ActionAfterCompletion). moto keeps the value from CreateSchedule whatever the update says, so the request
    // itself is checked.
    const update = w.sent.find((r) => r.command === 'UpdateScheduleCommand');
    expect(update?.input).toMatchObject({
      Name: 'job.inv-1',
      GroupName: w.groupName,
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: w.queue.arn, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: w.queue.deadLetterArn } },
    });
  });

  it('reschedules to within 15 minutes by sending to SQS first, then deleting the schedule', async () => {
    await w.client.enqueue(invoice.with({ invoiceId: 'inv-1' }, { delay: '2d', jobId: 'inv-1' }));
    expect(await w.client.reschedule('inv-1', { delay: '5m' })).toMatchObject({
      outcome: 'rescheduled',
      via: 'queue',
    });
    expect(await w.scheduleNames()).toEqual([]);
    expect(await w.queueCounts()).toEqual({ visible: 0, delayed: 1 });
  });

  it('names the schedule of a 300-character job id within 64 characters of [0-9a-zA-Z-_.]', async () => {
    const id = `customer-42/invoice:${'9'.repeat(280)}`;
    expect(id).toHaveLength(300);
    await w.client.enqueue(invoice.with({ invoiceId: 'x' }, { delay: '1d', jobId: id }));
    const [name] = await w.scheduleNames();
    expect(name).toBe(oneTimeScheduleName(id));
    expect(name!.length).toBeLessThanOrEqual(64);
    expect(name).toMatch(SCHEDULE_NAME_PATTERN);
    const schedule = await w.getSchedule(name!);
    expect(schedule.Description!.startsWith('wharf job send-invoice customer-42/invoice:999')).toBe(true);
    expect(JSON.parse(schedule.Target!.Input!).id).toBe(id);
    expect(await w.client.cancel(id)).toMatchObject({ outcome: 'cancelled' });
  });

  it('runs a scheduled job when its schedule fires, through the Lambda handler', async () => {
    const job = await w.client.enqueue(invoice.with({ invoiceId: 'inv-1' }, { delay: '3d', jobId: 'inv-1' }));
    w.clock.advanceTo(job.runAtMs); // Scheduler fires at its time (never before: at() is rounded up)
    await w.fire('job.inv-1', job.runAtMs);
    expect(await w.deliverAll()).toBe(1);
    expect(runs).toEqual([{ jobId: 'inv-1', attempt: 1, payload: { invoiceId: 'inv-1' } }]);
  });

  it('keeps a retry that backs off 2 hours in a schedule of its own, and runs it when that fires', async () => {
    retryFirst = true;
    await w.client.enqueue(invoice.with({ invoiceId: 'inv-1' }, { jobId: 'inv-1' }));
    await w.deliverAll();
    const retry = await w.getSchedule('job.inv-1.r2');
    expect(retry.ScheduleExpression).toBe(atOf(w.clock.nowMs() + 2 * HOUR));
    expect(JSON.parse(retry.Target!.Input!)).toMatchObject({ id: 'inv-1', attempt: 2 });
    expect(await w.queueCounts()).toEqual({ visible: 0, delayed: 0 });
    w.clock.advance(2 * HOUR);
    await w.fire('job.inv-1.r2', w.clock.nowMs());
    await w.deliverAll();
    expect(runs.map((r) => r.attempt)).toEqual([1, 2]);
  });

  it('runs a recurring firing once when Scheduler delivers it twice (same scheduled time, new execution id)', async () => {
    const task = defineRecurring({
      task: 'nightly-cleanup',
      job: cleanup,
      payload: { olderThanDays: 30 },
      schedule: 'every day at 2am',
      timeZone: 'Europe/Berlin',
    });
    expect(await w.client.upsertRecurring(task)).toBe('created');
    const schedule = await w.getSchedule('recurring.nightly-cleanup');
    expect(schedule).toMatchObject({
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: w.queue.arn,
        RoleArn: ROLE_ARN,
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: w.queue.deadLetterArn },
      },
    });
    expect(schedule.ActionAfterCompletion).toBeUndefined();
    const night = Date.parse('2026-01-06T01:00:00Z');
    const first = await w.fire('recurring.nightly-cleanup', night, 'execution-1');
    await w.deliverAll();
    // Scheduler retries a call that had in fact succeeded: the same firing again, under a new execution id.
    const second = await w.fire('recurring.nightly-cleanup', night, 'execution-2');
    expect(second).toBe(first); // nothing in the body depends on the execution id
    await w.deliverAll();
    expect(runs).toEqual([
      { jobId: 'recurring:nightly-cleanup:2026-01-06T01:00:00Z', attempt: 1, payload: { olderThanDays: 30 } },
    ]);
    expect(w.events.filter((e) => e.type === 'duplicate')).toHaveLength(1);
    await w.fire('recurring.nightly-cleanup', night + DAY);
    await w.deliverAll();
    expect(runs.map((r) => r.jobId)).toEqual([
      'recurring:nightly-cleanup:2026-01-06T01:00:00Z',
      'recurring:nightly-cleanup:2026-01-07T01:00:00Z',
    ]);
    expect(await w.client.deleteRecurring('nightly-cleanup')).toBe(true);
    expect(await w.scheduleNames()).toEqual([]);
  });
});

import { GetScheduleCommand, ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { defineJob, type JobEvent } from 'wharf-jobs';
import { z } from 'zod';
import type { IdempotencyMode } from '../../src/job/types';
import { createManualClock } from '../../src/local/index';
import { substituteContextAttributes } from '../../src/schedule/context-attributes';
import { oneTimeScheduleName } from '../../src/schedule/schedule-names';
import { createSchedule, injectFault, sendTo } from '../helpers/aws-faults';
import { createMotoWorld, type MotoWorld } from '../helpers/moto-world';

/**
 * S30 (reliability-anchors §7): a crash between writing job state and sending the message. What the enqueue path
 * writes, in order (src/client/client.ts, prepare.ts, dispatch/dispatch.ts): nothing but the message. The client
 * validates the payload and builds the envelope in memory, then sends it (SendMessageBatch, or CreateSchedule for
 * a job due beyond 15 minutes); it holds no job store, and the first job-state write is the worker's (the claim in
 * exactly-once mode, the outcome in tracked mode). There is no outbox and nothing buffered in memory. So the only
 * crash there is is in the send: it failed before reaching SQS, or SQS took it and the answer was lost. Either
 * way the caller gets an error, never a silent success, and retrying the enqueue with the same job id gives one
 * job; exactly-once runs it once, tracked (at-least-once) runs it once per copy that landed.
 */

const types = (events: readonly JobEvent[]) => events.map((e) => e.type);

describe('S30 a crash between writing job state and sending the message, on moto', () => {
  let world: MotoWorld | undefined;
  let runs: { jobId: string; attempt: number }[];
  afterEach(() => {
    world?.teardown();
    world = undefined;
  });

  const orderJob = (idempotency: IdempotencyMode) =>
    defineJob({
      name: 'place-order',
      schema: z.object({ orderId: z.string() }),
      idempotency,
      jobId: (p) => p.orderId,
      perform: (_p, ctx) => void runs.push({ jobId: ctx.jobId, attempt: ctx.attempt }),
    });

  async function setup(idempotency: IdempotencyMode) {
    runs = [];
    const job = orderJob(idempotency);
    world = await createMotoWorld([job], { visibilityTimeoutSeconds: 1 });
    return { w: world, job };
  }

  it('writes no job state at enqueue: the only write is the message, and the job has no record until a worker takes it', async () => {
    const { w, job } = await setup('exactly-once');
    const { jobId } = await w.client.enqueue(job.with({ orderId: 'o-0' }));
    expect(await w.messagesLeft()).toBe(1);
    expect(await w.store.get(jobId, Date.now())).toBeUndefined();
    await w.drain();
    expect(await w.store.get(jobId, Date.now())).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('tells the caller when the send never reached SQS, leaves nothing behind, and a retry with the same job id runs the job once', async () => {
    const { w, job } = await setup('exactly-once');
    // Every round the SQS transport tries (4 by default) fails: a producer cut off from SQS.
    const fault = injectFault(w.producerSqs, sendTo('before', w.queue.url), 4);
    await expect(w.client.enqueue(job.with({ orderId: 'o-1' }))).rejects.toMatchObject({
      name: 'EnqueueFailedError',
      code: 'WHARF_ENQUEUE_FAILED',
      message: expect.stringContaining('place-order:o-1'),
    });
    expect(fault.failed).toHaveLength(4);
    expect(await w.messagesLeft()).toBe(0);
    expect(await w.store.get('place-order:o-1', Date.now())).toBeUndefined();

    const retried = await w.client.enqueue(job.with({ orderId: 'o-1' }));
    expect(retried.jobId).toBe('place-order:o-1');
    await w.drain();
    expect(runs).toEqual([{ jobId: 'place-order:o-1', attempt: 1 }]);
    expect(await w.store.get('place-order:o-1', Date.now())).toMatchObject({
      status: 'succeeded',
      attempt: 1,
    });
  });

  it('tells the caller when SQS took every send but each answer was lost, and the exactly-once job still runs once', async () => {
    const { w, job } = await setup('exactly-once');
    const fault = injectFault(w.producerSqs, sendTo('after', w.queue.url), 4);
    await expect(w.client.enqueue(job.with({ orderId: 'o-2' }))).rejects.toMatchObject({
      code: 'WHARF_ENQUEUE_FAILED',
    });
    // Each of the transport's 4 rounds re-sent the message, and SQS kept every copy.
    expect(fault.failed).toHaveLength(4);
    expect(await w.messagesLeft()).toBe(4);
    await w.client.enqueue(job.with({ orderId: 'o-2' }));
    expect(await w.messagesLeft()).toBe(5);
    await w.drain();
    expect(runs).toEqual([{ jobId: 'place-order:o-2', attempt: 1 }]);
    expect(types(w.events)).toEqual([
      'started',
      'succeeded',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    expect(await w.store.get('place-order:o-2', Date.now())).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      fence: 1,
    });
  });

  it('reports success when only the first answer was lost (the resend was confirmed), and runs the two copies once', async () => {
    const { w, job } = await setup('exactly-once');
    const fault = injectFault(w.producerSqs, sendTo('after', w.queue.url), 1);
    const enqueued = await w.client.enqueue(job.with({ orderId: 'o-3' }));
    expect(enqueued).toMatchObject({ jobId: 'place-order:o-3', via: 'queue' });
    expect(fault.sent).toHaveLength(2);
    expect(await w.messagesLeft()).toBe(2);
    await w.drain();
    expect(runs).toHaveLength(1);
    expect(types(w.events)).toEqual(['started', 'succeeded', 'duplicate']);
  });

  it('runs a tracked job once per copy that landed: tracked is at-least-once, so one run needs exactly-once', async () => {
    const { w, job } = await setup('tracked');
    injectFault(w.producerSqs, sendTo('after', w.queue.url), 4);
    await expect(w.client.enqueue(job.with({ orderId: 'o-4' }))).rejects.toMatchObject({
      code: 'WHARF_ENQUEUE_FAILED',
    });
    await w.client.enqueue(job.with({ orderId: 'o-4' }));
    await w.drain();
    // One job (one id, one record), five runs of it.
    expect(runs).toEqual(Array.from({ length: 5 }, () => ({ jobId: 'place-order:o-4', attempt: 1 })));
    expect(await w.store.get('place-order:o-4', Date.now())).toMatchObject({
      status: 'succeeded',
      attempt: 1,
    });
  });

  it('lists every job of a bulk enqueue whose batch answer was lost as failed, and retrying them by job id runs each once', async () => {
    const { w, job } = await setup('exactly-once');
    injectFault(w.producerSqs, sendTo('after', w.queue.url), 4);
    const orders = ['o-5', 'o-6', 'o-7'].map((orderId) => job.with({ orderId }));
    const first = await w.client.enqueueMany(orders);
    expect(first.enqueued).toEqual([]);
    expect(first.failed.map((f) => [f.index, f.jobId, f.error.code])).toEqual([
      [0, 'place-order:o-5', 'WHARF_ENQUEUE_FAILED'],
      [1, 'place-order:o-6', 'WHARF_ENQUEUE_FAILED'],
      [2, 'place-order:o-7', 'WHARF_ENQUEUE_FAILED'],
    ]);
    const again = await w.client.enqueueMany(first.failed.map((f) => orders[f.index]!));
    expect(again.failed).toEqual([]);
    expect(again.enqueued.map((e) => e.jobId)).toEqual(first.failed.map((f) => f.jobId));
    await w.drain();
    expect(runs.map((r) => r.jobId).sort()).toEqual([
      'place-order:o-5',
      'place-order:o-6',
      'place-order:o-7',
    ]);
  });
});

describe('S30 a crash while scheduling a job due beyond 15 minutes, on moto', () => {
  let world: MotoWorld | undefined;
  let runs: string[];
  afterEach(() => {
    world?.teardown();
    world = undefined;
  });

  const reminder = defineJob({
    name: 'send-reminder',
    schema: z.object({ userId: z.string() }),
    idempotency: 'exactly-once',
    jobId: (p) => p.userId,
    perform: (_p, ctx) => void runs.push(ctx.jobId),
  });

  async function setup() {
    runs = [];
    const clock = createManualClock(Math.floor(Date.now() / 1000) * 1000);
    world = await createMotoWorld([reminder], { clock, scheduler: true, visibilityTimeoutSeconds: 1 });
    return { w: world, clock };
  }

  async function scheduleNames(w: MotoWorld): Promise<string[]> {
    const page = await w.producerScheduler!.send(new ListSchedulesCommand({ GroupName: w.groupName }));
    return (page.Schedules ?? []).map((s) => s.Name ?? '');
  }

  /** What Scheduler does when the schedule fires (moto never fires): its Input, sent to the target queue. */
  async function fire(w: MotoWorld, name: string, atMs: number): Promise<void> {
    const schedule = await w.producerScheduler!.send(
      new GetScheduleCommand({ Name: name, GroupName: w.groupName }),
    );
    const body = substituteContextAttributes(schedule.Target!.Input!, {
      scheduledTimeMs: atMs,
      scheduleArn: schedule.Arn!,
      executionId: crypto.randomUUID(),
      attemptNumber: 1,
    });
    await w.producerSqs.send(new SendMessageCommand({ QueueUrl: w.queue.url, MessageBody: body }));
  }

  it.each(['before', 'after'] as const)(
    'tells the caller when CreateSchedule fails (%s reaching Scheduler), and a retry with the same job id leaves one schedule that runs the job once',
    async (mode) => {
      const { w, clock } = await setup();
      const fault = injectFault(w.producerScheduler!, createSchedule(mode), 1);
      const request = reminder.with({ userId: 'u-30' }, { delay: '2h' });
      await expect(w.client.enqueue(request)).rejects.toMatchObject({
        code: 'WHARF_ENQUEUE_FAILED',
        cause: expect.objectContaining({ code: 'WHARF_SCHEDULER' }),
      });
      expect(fault.failed).toHaveLength(1);
      const name = oneTimeScheduleName('send-reminder:u-30');
      expect(await scheduleNames(w)).toEqual(mode === 'before' ? [] : [name]);

      // The retry's CreateSchedule finds the schedule the lost answer left behind (ConflictException) and keeps it.
      const retried = await w.client.enqueue(request);
      expect(retried).toMatchObject({ jobId: 'send-reminder:u-30', via: 'scheduler' });
      expect(await scheduleNames(w)).toEqual([name]);
      expect(await w.messagesLeft()).toBe(0);

      clock.advance(2 * 3_600_000);
      await fire(w, name, clock.nowMs());
      await w.drain();
      expect(runs).toEqual(['send-reminder:u-30']);
      expect(await w.store.get('send-reminder:u-30', clock.nowMs())).toMatchObject({ status: 'succeeded' });
    },
  );
});

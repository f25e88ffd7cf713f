import { expect } from 'vitest';
import { z } from 'zod';
import { setDefaultEnqueuer } from '../../src/client/default-enqueuer';
import type { WharfClient } from '../../src/client/types';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { createRegistry } from '../../src/job/registry';
import { createLambdaWorkerFromEnv } from '../../src/lambda/index';
import { createAwsOps } from '../../src/ops/index';
import { createAwsRuntime } from '../../src/runtime/aws-runtime';
import { defineRecurring } from '../../src/schedule/define-recurring';
import { createWorkerFromEnv } from '../../src/worker/index';
import { sqsClient } from './aws';
import { recordCalls, recordingAs } from './aws-action-recorder';
import { pollOnce } from './esm';
import type { GrantWorld } from './grant-world';
import { drainQueue } from './queues';

/**
 * The code path of each role, run through wharf's own entry points (createAwsRuntime, createLambdaWorkerFromEnv,
 * createWorkerFromEnv, createAwsOps) on the environment the construct gives that role, so every AWS call they
 * make goes through the composition root's clients and is recorded for that role (see aws-action-recorder.ts).
 * Each path covers what the role's grant is for; the test asserts that the recording holds it.
 */

const welcome = defineJob({
  name: 'iam-welcome',
  queue: 'emails',
  schema: z.object({ user: z.string() }),
  perform: () => undefined,
});
/** Exactly-once, and enqueues a job on another queue (through performLater, the worker's default client). */
const signUp = defineJob({
  name: 'iam-sign-up',
  schema: z.object({ user: z.string() }),
  idempotency: 'exactly-once',
  perform: async ({ user }) => void (await welcome.performLater({ user })),
});
/** A retry with a delay SQS can carry. */
const flaky = defineJob({
  name: 'iam-flaky',
  schema: z.object({}),
  perform: (_payload, ctx) => (ctx.attempt === 1 ? ctx.retryAfter('1s') : undefined),
});
/** A retry beyond SQS's 15 minutes: it waits in a schedule the worker creates. */
const patient = defineJob({
  name: 'iam-patient',
  schema: z.object({}),
  perform: (_payload, ctx) => ctx.retryAfter('2h'),
});
const doomed = defineJob({
  name: 'iam-doomed',
  schema: z.object({}),
  retry: { attempts: 1 },
  perform: () => {
    throw new Error('the warehouse is closed');
  },
});
/** Runs until the long-running worker abandons it on stop: its message is released (ChangeMessageVisibility). */
const held = defineJob({
  name: 'iam-held',
  schema: z.object({}),
  idempotency: 'exactly-once',
  perform: (_payload, ctx) =>
    new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
});
/** One per key until it ends: the producer takes the key, the worker gives it back (a DeleteItem). */
const oncePerOrder = defineJob({
  name: 'iam-once-per-order',
  schema: z.object({ order: z.string() }),
  idempotency: 'exactly-once',
  unique: { key: (p) => p.order, until: 'finished' },
  perform: () => undefined,
});
/** Debounced: the producer writes the burst, the worker takes it (the earlier message comes back and is superseded). */
const settle = defineJob({
  name: 'iam-debounced',
  schema: z.object({ doc: z.string(), n: z.number() }),
  debounce: { key: (p) => p.doc, wait: '1s' },
  perform: () => undefined,
});
const nightly = defineRecurring({ task: 'iam-nightly', job: flaky, schedule: 'every day at 2am' });
/** A recurring task made at run time (a reminder per user), which the operator then runs now. */
export const reminder = defineRecurring({
  task: 'iam-reminder',
  job: welcome,
  payload: { user: 'ada' },
  schedule: 'every day at 9am',
});

export const registry = createRegistry(
  [welcome, signUp, flaky, patient, doomed, held, oncePerOrder, settle],
  {
    recurring: [nightly],
  },
);

/** Everything the producer API offers: enqueue, in bulk, delayed (SQS and Scheduler), reschedule, cancel, recurring. */
export async function runProducer(world: GrantWorld): Promise<WharfClient> {
  return recordingAs(world.producer.recorder, async () => {
    const { client } = createAwsRuntime({ registry, env: world.producerEnv() });
    // Twice with one id: the second delivery is a duplicate of a completed exactly-once job.
    await client.enqueue(signUp.with({ user: 'ada' }, { jobId: 'iam-sign-up-ada' }));
    await client.enqueue(signUp.with({ user: 'ada' }, { jobId: 'iam-sign-up-ada' }));
    await client.enqueueMany([flaky.with({}), patient.with({}), doomed.with({})]);
    expect((await client.enqueue(oncePerOrder.with({ order: 'o1' }))).outcome).toBe('enqueued');
    expect((await client.enqueue(oncePerOrder.with({ order: 'o1' }))).outcome).toBe('duplicate');
    await client.enqueue(settle.with({ doc: 'd1', n: 1 }));
    await client.enqueue(settle.with({ doc: 'd1', n: 2 }));
    await client.enqueue(welcome.with({ user: 'grace' }, { delay: '2s' }));
    const moved = await client.enqueue(welcome.with({ user: 'alan' }, { delay: '2h' }));
    expect(moved.via).toBe('scheduler');
    expect(await client.reschedule(moved, { delay: '3h' })).toMatchObject({ via: 'scheduler' });
    expect(await client.reschedule(moved, { delay: '1s' })).toMatchObject({ via: 'queue' });
    const cancelled = await client.enqueue(welcome.with({ user: 'barbara' }, { at: hoursFromNow(3) }));
    expect(await client.cancel(cancelled)).toMatchObject({ outcome: 'cancelled' });
    expect(await client.upsertRecurring(reminder)).toBe('created');
    expect(await client.upsertRecurring(reminder)).toBe('updated');
    const once = defineRecurring({
      task: 'iam-once',
      job: welcome,
      payload: { user: 'x' },
      schedule: 'every hour',
    });
    await client.upsertRecurring(once);
    expect(await client.deleteRecurring('iam-once')).toBe(true);
    return client;
  });
}

/** Each Lambda worker on its queue, fed by the event source mapping played in-process, until the queue is empty. */
export async function runLambdaWorkers(world: GrantWorld): Promise<void> {
  const events: JobEvent[] = [];
  const observer = sqsClient();
  // Queue by queue, the source of follow-up jobs first, so each worker runs what the others sent it.
  for (const queue of ['default', 'emails']) {
    const role = world.workers[queue]!;
    const { Ref: queueUrl, Arn: queueArn } = world.played(world.built.jobs.queues[queue]!);
    await recordingAs(role.recorder, async () => {
      const handler = createLambdaWorkerFromEnv({
        registry,
        env: world.workerEnv(queue),
        onEvent: (e) => events.push(e),
      });
      // The event source mapping receives and deletes with the function's execution role.
      const esm = recordCalls(sqsClient(), role.recorder);
      const target = { sqs: esm, queueUrl: queueUrl!, queueArn: queueArn!, batchSize: 1, waitTimeSeconds: 1 };
      await drainQueue(observer, queueUrl!, () => pollOnce({ ...target, handler: (e, c) => handler(e, c) }));
      esm.destroy();
    });
  }
  observer.destroy();
  setDefaultEnqueuer(undefined);
  const happened = (type: JobEvent['type'], job: { name: string }) =>
    expect(events).toContainEqual(expect.objectContaining({ type, jobName: job.name }));
  happened('duplicate', signUp);
  happened('retrying', flaky);
  happened('succeeded', flaky);
  happened('retrying', patient);
  happened('dead', doomed);
  happened('succeeded', welcome);
  happened('succeeded', oncePerOrder);
  happened('succeeded', settle);
}

/** The long-running worker (grantConsume) on every queue, with jobs enqueued by the producer for it. */
export async function runConsumer(world: GrantWorld, producer: WharfClient): Promise<void> {
  const events: JobEvent[] = [];
  await producer.enqueueMany([
    signUp.with({ user: 'alan' }),
    doomed.with({}),
    patient.with({}),
    held.with({}),
  ]);
  await recordingAs(world.consumer.recorder, async () => {
    const worker = createWorkerFromEnv({ registry, env: world.outputsEnv(), onEvent: (e) => events.push(e) });
    const running = worker.run();
    const seen = (type: JobEvent['type'], job: { name: string }) =>
      events.some((e) => e.type === type && e.jobName === job.name);
    const deadline = Date.now() + 20_000;
    while (
      !(
        seen('dead', doomed) &&
        seen('retrying', patient) &&
        seen('succeeded', welcome) &&
        seen('started', held)
      )
    ) {
      if (Date.now() > deadline)
        throw new Error(`the consumer did not get through its jobs: ${JSON.stringify(events)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await worker.stop(100);
    await running;
  });
  setDefaultEnqueuer(undefined);
  expect(events).toContainEqual(expect.objectContaining({ type: 'released', jobName: held.name }));
}

/**
 * What the CLI and the dashboard do through ops: queues, jobs, dead letters, redrive, schedules, enqueue, pause,
 * and cancel, of jobs the producer enqueued for it: one waiting in a schedule, one on its queue, one finished.
 */
export async function runOperator(world: GrantWorld, producer: WharfClient): Promise<void> {
  const waiting = await producer.enqueue(welcome.with({ user: 'edsger' }, { at: hoursFromNow(4) }));
  expect(waiting.via).toBe('scheduler');
  // Exactly-once, so its claim honours a cancellation; nothing consumes the queue any more, so it stays there.
  const queued = await producer.enqueue(signUp.with({ user: 'edsger' }));
  await recordingAs(world.operator.recorder, async () => {
    const ops = createAwsOps({ registry, env: world.outputsEnv() });
    await ops.queues();
    expect((await ops.jobs({})).records.length).toBeGreaterThan(0);
    await ops.jobs({ status: 'succeeded' });
    const dead = (await ops.jobs({ status: 'dead' })).records;
    expect(dead.length).toBe(2);
    await ops.job('iam-sign-up-ada');
    expect((await ops.job(dead[0]!.jobId)).deadLetters).toHaveLength(1);
    const letters = (await ops.deadLetters()).items;
    expect(letters).toHaveLength(2);
    await ops.deadLetter(letters[0]!.messageId);
    expect((await ops.retry({ refs: [letters[0]!.messageId] })).succeeded).toHaveLength(1);
    expect((await ops.discard({ refs: [letters[1]!.messageId] })).succeeded).toHaveLength(1);
    expect(await ops.retry({ all: true }, { waitForMoveTasks: false })).toMatchObject({
      method: 'move-task',
    });
    expect((await ops.schedules()).items.map((s) => s.name)).toContain(reminder.task);
    await ops.runSchedule(reminder.task);
    await ops.enqueue({ job: flaky.name, payload: {} });
    // Pause and resume each kind: the queue's event source mapping (moto's is disabled already, so the pause
    // lists it and the resume switches it on), the job table's pause item, the schedule's State.
    await ops.pause({ kind: 'queue', name: 'default' }, { reason: 'grants' });
    const resumed = await ops.resume({ kind: 'queue', name: 'default' });
    expect(resumed.eventSourceMappings).toEqual([expect.objectContaining({ changed: true })]);
    await ops.pause({ kind: 'queue', name: 'default' });
    await ops.pause({ kind: 'job', name: flaky.name });
    await ops.resume({ kind: 'job', name: flaky.name });
    await ops.pause({ kind: 'schedule', name: reminder.task });
    await ops.resume({ kind: 'schedule', name: reminder.task });
    await ops.listPauses();
    expect(await ops.cancel(waiting.jobId)).toMatchObject({ outcome: 'cancelled', where: 'schedule' });
    expect(await ops.cancel(queued.jobId)).toMatchObject({ outcome: 'cancelled', where: 'queue' });
    expect(await ops.cancel('iam-sign-up-ada')).toMatchObject({ outcome: 'not-cancelled' });
    expect(await ops.jobCounts()).toMatchObject({ complete: true });
    ops.close();
  });
}

function hoursFromNow(hours: number): Date {
  return new Date(Date.now() + hours * 3_600_000);
}

import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleGroupCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createAwsOps } from '../../src/ops/aws-ops';
import { createOps } from '../../src/ops/create-ops';
import { lambdaQueueConsumers } from '../../src/ops/queue-consumers';
import { createScheduleSource } from '../../src/ops/schedules';
import type { Ops } from '../../src/ops/types';
import { loadLambda } from '../../src/runtime/lambda-api';
import { defineRecurring, toRecurringSchedule } from '../../src/schedule/define-recurring';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import { recurringScheduleName } from '../../src/schedule/schedule-names';
import { createMemoryJobStore } from '../../src/store/memory-store';
import type { JobStore } from '../../src/store/types';
import { createSqsQueueAdmin } from '../../src/transport/sqs/sqs-queue-admin';
import { motoEndpoint, schedulerClient, sqsClient, uniqueName } from '../helpers/aws';
import { createFunction, createMapping, mappingState } from '../helpers/lambda-consumers';
import { shipOrder } from '../helpers/ops-jobs';
import { createQueuePair, type QueuePair } from '../helpers/queues';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/wharf-scheduler';
const nightly = defineRecurring({
  task: 'nightly-shipping',
  job: shipOrder,
  payload: { orderId: 'nightly' },
  schedule: 'every day at 2am',
  timeZone: 'Europe/Berlin',
  description: 'ships what came in during the day',
});

interface Sent {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** Keeps every request a client sends, by command, as the SDK serializes it from this input. */
function recording<T extends { middlewareStack: object }>(client: T, sent: Sent[]): T {
  const stack = client.middlewareStack as unknown as {
    add(
      m: (next: (a: { input: unknown }) => Promise<unknown>, c: { commandName?: string }) => unknown,
      o: object,
    ): void;
  };
  stack.add(
    (next, context) => async (args: { input: unknown }) => {
      sent.push({
        command: context.commandName ?? '',
        input: structuredClone(args.input) as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: 'wharfTestRecorder' },
  );
  return client;
}

const common = () => ({
  endpoint: motoEndpoint(),
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

// Pause and resume through ops on moto: a queue's Lambda event source mappings (moto keeps mappings and
// functions; it runs no code, which a pause never needs), a recurring schedule's State in EventBridge Scheduler,
// and the job table's pause, here the memory store: the DynamoDB adapter's pauses are covered by the store
// conformance suite, and the path through createAwsOps with the table is at the end of this file.
describe('ops pause and resume on moto', () => {
  const lambdaSent: Sent[] = [];
  const schedulerSent: Sent[] = [];
  let paid: QueuePair;
  let other: QueuePair;
  let mappings: { paidA: string; paidB: string; other: string };
  let groupName: string;
  let store: JobStore;
  let ops: Ops;
  const lambda = recording(new LambdaClient(common()), lambdaSent);
  const scheduler = recording(schedulerClient(), schedulerSent);
  const sqs = sqsClient();

  beforeAll(async () => {
    paid = await createQueuePair(sqs, { prefix: 'wharf-pause-paid' });
    other = await createQueuePair(sqs, { prefix: 'wharf-pause-other' });
    const [first, second] = [await createFunction('wharf-pause-a'), await createFunction('wharf-pause-b')];
    // The paid queue is consumed by two functions (the construct's worker and another); the other queue by one.
    mappings = {
      paidA: await createMapping(paid.arn, first.name),
      paidB: await createMapping(paid.arn, second.name),
      other: await createMapping(other.arn, first.name),
    };
    groupName = uniqueName('wharf-pause');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
  }, 60_000);
  afterAll(() => {
    lambda.destroy();
    scheduler.destroy();
    sqs.destroy();
  });

  beforeEach(async () => {
    lambdaSent.length = 0;
    schedulerSent.length = 0;
    store = createMemoryJobStore();
    const queues = {
      paid: { url: paid.url, deadLetterUrl: paid.deadLetterUrl },
      other: { url: other.url, deadLetterUrl: other.deadLetterUrl },
    };
    const arns: Record<string, string> = { paid: paid.arn, other: other.arn };
    const jobScheduler = createEventBridgeScheduler({
      client: scheduler,
      groupName,
      roleArn: ROLE_ARN,
      queues: { paid: { arn: paid.arn, deadLetterArn: paid.deadLetterArn } },
    });
    await jobScheduler.upsertRecurring({ ...toRecurringSchedule(nightly), queue: 'paid' });
    ops = createOps({
      admin: createSqsQueueAdmin({ client: sqs, queues }),
      store,
      registry: createRegistry([shipOrder]),
      schedules: createScheduleSource({ scheduler: jobScheduler }),
      consumers: lambdaQueueConsumers({
        client: async () => lambda,
        api: loadLambda,
        arnsOf: (queue) => (arns[queue] ? [arns[queue]] : []),
      }),
    });
    schedulerSent.length = 0;
  });

  const updates = () =>
    lambdaSent.filter((s) => s.command === 'UpdateEventSourceMappingCommand').map((s) => s.input);

  it("pauses a queue: the job table's pause, and that queue's event source mappings switched off, no other", async () => {
    const report = await ops.pause({ kind: 'queue', name: 'paid' }, { reason: 'card processor down' });

    expect(lambdaSent[0]).toEqual({
      command: 'ListEventSourceMappingsCommand',
      input: expect.objectContaining({ EventSourceArn: paid.arn }),
    });
    expect(updates()).toEqual(
      expect.arrayContaining([
        { UUID: mappings.paidA, Enabled: false },
        { UUID: mappings.paidB, Enabled: false },
      ]),
    );
    expect(updates()).toHaveLength(2);
    expect(await mappingState(mappings.paidA)).toBe('Disabled');
    expect(await mappingState(mappings.paidB)).toBe('Disabled');
    expect(await mappingState(mappings.other)).toBe('Enabled');
    expect(report).toMatchObject({
      action: 'pause',
      changed: true,
      pause: { kind: 'queue', name: 'paid', reason: 'card processor down' },
    });
    expect(report.eventSourceMappings?.map((m) => m.uuid).sort()).toEqual(
      [mappings.paidA, mappings.paidB].sort(),
    );
    expect(await store.listPauses(Date.now())).toEqual([
      expect.objectContaining({ kind: 'queue', name: 'paid', reason: 'card processor down' }),
    ]);
    const listed = await ops.queues();
    expect(listed.find((q) => q.queue === 'paid')?.paused).toMatchObject({ reason: 'card processor down' });
    expect(listed.find((q) => q.queue === 'other')?.paused).toBeUndefined();

    // Again: nothing to switch (both are off already), and the pause keeps the time it began.
    lambdaSent.length = 0;
    const again = await ops.pause({ kind: 'queue', name: 'paid' });
    expect(updates()).toEqual([]);
    expect(again).toMatchObject({ changed: false, pause: { sinceMs: report.pause?.sinceMs } });

    lambdaSent.length = 0;
    const resumed = await ops.resume({ kind: 'queue', name: 'paid' });
    expect(updates()).toEqual(
      expect.arrayContaining([
        { UUID: mappings.paidA, Enabled: true },
        { UUID: mappings.paidB, Enabled: true },
      ]),
    );
    expect(updates()).toHaveLength(2);
    expect(resumed).toMatchObject({ action: 'resume', changed: true });
    expect(resumed.pause).toBeUndefined();
    expect(await mappingState(mappings.paidA)).toBe('Enabled');
    expect(await mappingState(mappings.paidB)).toBe('Enabled');
    expect(await store.listPauses(Date.now())).toEqual([]);
    expect(await ops.listPauses()).toEqual([]);
  });

  it('pauses a job type in the job table only, and refuses a job or queue it does not know', async () => {
    const report = await ops.pause(
      { kind: 'job', name: shipOrder.name },
      { reason: 'carrier API migration' },
    );
    expect(report).toMatchObject({ changed: true, pause: { kind: 'job', name: shipOrder.name } });
    expect(lambdaSent).toEqual([]);
    expect(await ops.listPauses()).toEqual([
      expect.objectContaining({ kind: 'job', name: shipOrder.name, reason: 'carrier API migration' }),
    ]);
    await ops.resume({ kind: 'job', name: shipOrder.name });
    expect(await ops.listPauses()).toEqual([]);
    const notFound = (e: Error) => hasCode(e, 'WHARF_NOT_FOUND');
    await expect(ops.pause({ kind: 'job', name: 'no-such-job' })).rejects.toSatisfy(notFound);
    await expect(ops.pause({ kind: 'queue', name: 'no-such-queue' })).rejects.toSatisfy(notFound);
    await expect(ops.pause({ kind: 'schedule', name: 'no-such-task' })).rejects.toSatisfy(notFound);
    expect(await store.listPauses(Date.now())).toEqual([]);
  });

  it('pauses a recurring schedule with UpdateSchedule State DISABLED and every other field as it was', async () => {
    const name = recurringScheduleName(nightly.task);
    const before = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
    expect(before.State).toBe('ENABLED');
    schedulerSent.length = 0;

    const report = await ops.pause({ kind: 'schedule', name: nightly.task });
    const [update, ...more] = schedulerSent.filter((s) => s.command === 'UpdateScheduleCommand');
    expect(more).toEqual([]);
    expect(update?.input).toEqual({ ...definitionOf(before), State: 'DISABLED' });
    const after = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
    expect(after.State).toBe('DISABLED');
    expect(definitionOf(after)).toEqual(definitionOf(before));
    expect(report).toMatchObject({ action: 'pause', changed: true, pause: { kind: 'schedule' } });
    const listed = (await ops.schedules()).items.find((s) => s.name === nightly.task);
    expect(listed).toMatchObject({ enabled: false, nextRunsMs: [] });
    expect(listed?.pausedSinceMs).toEqual(expect.any(Number));
    expect(await ops.listPauses()).toEqual([
      expect.objectContaining({ kind: 'schedule', name: nightly.task }),
    ]);
    // A reason has nowhere to go in Scheduler: refused, not dropped.
    await expect(ops.pause({ kind: 'schedule', name: nightly.task }, { reason: 'x' })).rejects.toSatisfy(
      (e: Error) => hasCode(e, 'WHARF_INVALID_OPTIONS'),
    );

    schedulerSent.length = 0;
    expect(await ops.resume({ kind: 'schedule', name: nightly.task })).toMatchObject({ changed: true });
    const [enable] = schedulerSent.filter((s) => s.command === 'UpdateScheduleCommand');
    expect(enable?.input).toEqual({ ...definitionOf(before), State: 'ENABLED' });
    const resumed = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
    expect(resumed.State).toBe('ENABLED');
    expect(definitionOf(resumed)).toEqual(definitionOf(before));
    expect((await ops.schedules()).items.find((s) => s.name === nightly.task)?.nextRunsMs).toHaveLength(3);
  });

  it('through createAwsOps: pauses a recurring schedule from the environment alone (no job table needed)', async () => {
    const env = {
      WHARF_QUEUE_URL_PAID: paid.url,
      WHARF_DLQ_URL_PAID: paid.deadLetterUrl,
      WHARF_SCHEDULE_GROUP: groupName,
      WHARF_SCHEDULER_ROLE_ARN: ROLE_ARN,
    };
    const aws = createAwsOps({ env, endpoint: motoEndpoint(), region: 'us-east-1' });
    try {
      expect(await aws.pause({ kind: 'schedule', name: nightly.task })).toMatchObject({ changed: true });
      const name = recurringScheduleName(nightly.task);
      const read = await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
      expect(read.State).toBe('DISABLED');
      expect(await aws.resume({ kind: 'schedule', name: nightly.task })).toMatchObject({ changed: true });
      await expect(aws.pause({ kind: 'queue', name: 'paid' })).rejects.toSatisfy((e: Error) =>
        hasCode(e, 'WHARF_CONFIG'),
      );
    } finally {
      aws.close();
    }
  });
});

/** What UpdateSchedule takes, from what GetSchedule returned: every field of the definition but State. */
function definitionOf(read: object): Record<string, unknown> {
  const out = read as Record<string, unknown>;
  const fields = [
    'Name',
    'GroupName',
    'ScheduleExpression',
    'ScheduleExpressionTimezone',
    'FlexibleTimeWindow',
    'Target',
    'Description',
    'StartDate',
    'EndDate',
    'KmsKeyArn',
    'ActionAfterCompletion',
  ];
  return Object.fromEntries(fields.filter((f) => out[f] !== undefined).map((f) => [f, out[f]]));
}

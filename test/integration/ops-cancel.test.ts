import { CreateScheduleGroupCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EnqueueRequest } from '../../src/client/types';
import { defineJob } from '../../src/define-job';
import { hasCode } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, createManualClock } from '../../src/local/index';
import { createAwsOps } from '../../src/ops/aws-ops';
import { createLocalOps } from '../../src/ops/local-ops';
import type { Ops } from '../../src/ops/types';
import { createAwsRuntime } from '../../src/runtime/aws-runtime';
import { oneTimeScheduleName } from '../../src/schedule/schedule-names';
import { motoEndpoint, schedulerClient, uniqueName } from '../helpers/aws';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { embeddedWorld, motoWorld, type OpsWorld } from '../helpers/ops-worlds';

/** A promise and the function that resolves it (ES2023 has no Promise.withResolvers). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A job that runs until the test lets it finish, and says when it has started. */
const hold = {
  started: signal(),
  release: signal(),
  runs: 0,
  reset() {
    this.started = signal();
    this.release = signal();
    this.runs = 0;
  },
};
const packParcel = defineJob({
  name: 'pack-parcel',
  schema: z.object({ parcelId: z.string() }),
  idempotency: 'exactly-once',
  retry: { attempts: 1 },
  perform: async () => {
    hold.runs++;
    hold.started.resolve();
    await hold.release.promise;
    return 'packed';
  },
});
/** Tracked (the default): its runs do not claim, so nothing on its queue can stop it. */
const sendReceipt = defineJob({
  name: 'send-receipt',
  schema: z.object({ orderId: z.string() }),
  perform: () => 'sent',
});

// Cancel and the job views of the new statuses through ops, on the embedded engine and on moto (SQS, DynamoDB,
// the Lambda handler run in-process on what it receives). On moto the cancellation is the DynamoDB store's
// requestCancel, built in the store slice of issue 16; the schedule branch is further down.
describe.each([embeddedWorld, motoWorld])('ops cancel on the $name', (factory) => {
  let world: OpsWorld;
  let ops: Ops;
  beforeEach(async () => {
    shipping.reset();
    hold.reset();
    world = await factory.create([shipOrder, packParcel, sendReceipt]);
    ops = world.ops();
  });
  afterEach(() => world.teardown());

  const record = async (jobId: string) => (await ops.job(jobId)).record;

  it('cancels a job on its queue: its claim acknowledges it unrun, and it is listed and counted as cancelled', async () => {
    shipping.broken = false;
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'o1' }));
    const result = await ops.cancel(jobId);
    expect(result).toMatchObject({ outcome: 'cancelled', jobId, where: 'queue' });
    // A random id does not say its job, and send-receipt's runs do not claim: the result says so.
    expect(result.outcome === 'cancelled' && result.note).toMatch(
      /If it is a job of "send-receipt", it runs anyway/,
    );

    await world.drain();
    expect(shipping.effectsOf(jobId)).toBe(0);
    expect(await ops.queues()).toEqual([
      expect.objectContaining({ visible: 0, inFlight: 0, deadLetters: 0 }),
    ]);
    const cancelled = await record(jobId);
    expect(cancelled).toMatchObject({
      jobId,
      status: 'cancelled',
      attempt: 0,
      skippedReason: expect.any(String),
    });
    expect(cancelled?.cancelRequestedAtMs).toEqual(expect.any(Number));
    expect(cancelled?.startedAtMs).toBeUndefined();
    expect((await ops.jobs({ status: 'cancelled' })).records.map((r) => r.jobId)).toEqual([jobId]);
    expect((await ops.jobCounts()).byStatus.cancelled).toBe(1);
  });

  it('cancels by what performLater returned, as client.cancel does', async () => {
    const enqueued = await world.client.enqueue(shipOrder.with({ orderId: 'o2' }));
    expect(await ops.cancel(enqueued)).toMatchObject({ outcome: 'cancelled', where: 'queue' });
  });

  it('tells a running job to stop, and its record says a cancel was requested', async () => {
    const { jobId } = await world.client.enqueue(packParcel.with({ parcelId: 'p1' }));
    const draining = world.drain();
    await hold.started.promise;
    expect(await record(jobId)).toMatchObject({ status: 'running' });

    const result = await ops.cancel(jobId);
    expect(result).toEqual({ outcome: 'signalled', jobId, reason: expect.stringMatching(/ctx\.signal/) });
    const running = await record(jobId);
    expect(running).toMatchObject({ status: 'running' });
    expect(running?.cancelRequestedAtMs).toEqual(expect.any(Number));

    hold.release.resolve();
    await draining;
    expect(hold.runs).toBe(1);
  });

  it('stops nothing of a job that has ended, and says so', async () => {
    shipping.broken = false;
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'o3' }));
    await world.drain();
    const before = await record(jobId);
    expect(await ops.cancel(jobId)).toEqual({
      outcome: 'not-cancelled',
      jobId,
      reason: 'it had already ended (succeeded)',
    });
    expect(await record(jobId)).toEqual(before);
  });

  it('refuses a job whose runs do not claim, and writes nothing', async () => {
    // Its record as the engine writes it when a pause puts the job off (the store's noteDeferral): the record
    // names the job to the cancel. (Put off for real, a job on moto would keep the queue from draining.)
    const jobId = 'receipt-o4';
    const nowMs = world.clock.nowMs();
    await world.store.noteDeferral({
      jobId,
      jobName: sendReceipt.name,
      queue: world.queue,
      attempt: 1,
      createdAtMs: nowMs,
      nowMs,
      expiresAtSec: Math.ceil(nowMs / 1000) + 3_600,
      note: { why: 'paused', untilMs: nowMs + 60_000, count: 1 },
    });
    const waiting = await record(jobId);
    expect(waiting).toMatchObject({ status: 'queued', jobName: sendReceipt.name });

    const result = await ops.cancel(jobId);
    expect(result).toMatchObject({ outcome: 'not-cancelled', jobId });
    expect(result.outcome === 'not-cancelled' && result.reason).toMatch(
      /job "send-receipt" is tracked: its runs do not claim before they start.*idempotency: 'exactly-once'/,
    );
    expect(await record(jobId)).toEqual(waiting);
  });

  it('refuses an empty id, and a cancel with neither a job table nor a scheduler', async () => {
    await expect(ops.cancel('')).rejects.toSatisfy((e: Error) => hasCode(e, 'WHARF_INVALID_OPTIONS'));
    await expect(ops.cancel({ jobId: ' ' })).rejects.toSatisfy((e: Error) =>
      hasCode(e, 'WHARF_INVALID_OPTIONS'),
    );
    const bare = world.ops({ store: undefined });
    await expect(bare.cancel('o5')).rejects.toSatisfy(
      (e: Error) => hasCode(e, 'WHARF_CONFIG') && /WHARF_TABLE_NAME/.test(e.message),
    );
  });

  it('lists, shows and counts expired jobs with the reason they were skipped', async () => {
    // Recorded as the engine records a job not started by its `expiresIn`: the store's recordSkipped.
    const nowMs = world.clock.nowMs();
    const skip = {
      jobName: shipOrder.name,
      queue: world.queue,
      status: 'expired' as const,
      reason: 'expired 12s after it was due (expiresIn 1m)',
      createdAtMs: nowMs - 72_000,
      nowMs,
      expiresAtSec: Math.ceil(nowMs / 1000) + 3_600,
      payload: { orderId: 'o6', card: { number: '4242424242424242' } },
    };
    expect(await world.store.recordSkipped({ ...skip, jobId: 'expired-1' })).toBe('recorded');
    const detail = await ops.job('expired-1');
    expect(detail.record).toMatchObject({ status: 'expired', skippedReason: skip.reason, attempt: 0 });
    expect(detail.payload).toEqual({ orderId: 'o6', card: { number: '[redacted]' } });
    expect(detail.deadLetters).toEqual([]);
    expect((await ops.jobs({ status: 'expired' })).records.map((r) => r.jobId)).toEqual(['expired-1']);
    expect((await ops.jobCounts()).byStatus).toMatchObject({ expired: 1, cancelled: 0 });
  });
});

describe.each([embeddedWorld, motoWorld])('ops job counts on the $name', (factory) => {
  let world: OpsWorld;
  beforeEach(async () => {
    shipping.reset();
    world = await factory.create([shipOrder]);
  });
  afterEach(() => world.teardown());

  it('counts every status in one walk, and says when it stopped before the end', async () => {
    await world.client.enqueue(shipOrder.with({ orderId: 'dead-1' }));
    await world.client.enqueue(shipOrder.with({ orderId: 'dead-2' }));
    await world.drain();
    shipping.broken = false;
    await world.client.enqueue(shipOrder.with({ orderId: 'done-1' }));
    await world.drain();
    const ops = world.ops();

    const counts = await ops.jobCounts();
    expect(counts).toEqual({
      byStatus: {
        queued: 0,
        running: 0,
        succeeded: 1,
        retrying: 0,
        dead: 2,
        discarded: 0,
        expired: 0,
        cancelled: 0,
      },
      read: 3,
      complete: true,
    });
    const partial = await ops.jobCounts({ maxRecords: 2 });
    expect(partial).toMatchObject({ read: 2, complete: false });
    expect(Object.values(partial.byStatus).reduce((a, b) => a + b, 0)).toBe(2);
    await expect(ops.jobCounts({ maxRecords: 0 })).rejects.toSatisfy((e: Error) =>
      hasCode(e, 'WHARF_INVALID_OPTIONS'),
    );
    await expect(world.ops({ store: undefined }).jobCounts()).rejects.toSatisfy((e: Error) =>
      hasCode(e, 'WHARF_CONFIG'),
    );
  });
});

describe('ops enqueue with an expiry', () => {
  // Only the request ops makes: the client's own handling of expiresIn is tested with the client.
  it("passes expiresIn to the job's enqueue, where the client checks it", async () => {
    const world = await embeddedWorld.create([shipOrder]);
    try {
      const sent: EnqueueRequest[] = [];
      const ops = world.ops({
        enqueuer: {
          enqueue: async (request) => {
            sent.push(request);
            return {
              outcome: 'enqueued',
              jobId: 'j1',
              jobName: request.job.name,
              queue: world.queue,
              runAtMs: 0,
            };
          },
          enqueueMany: (requests) => world.client.enqueueMany(requests),
        },
      });
      await ops.enqueue({ job: shipOrder.name, payload: { orderId: 'o7' }, expiresIn: '1h', delay: '5m' });
      expect(sent.map((r) => r.options)).toEqual([{ delay: '5m', expiresIn: '1h' }]);
    } finally {
      await world.teardown();
    }
  });
});

describe('ops cancel of a job waiting in a schedule', () => {
  it('on the embedded engine (createLocalOps): the schedule is deleted and the job never runs', async () => {
    shipping.reset();
    shipping.broken = false;
    const registry = createRegistry([shipOrder]);
    const engine = createLocalEngine({ registry, clock: createManualClock(Date.UTC(2026, 11, 1, 9)) });
    try {
      const ops = createLocalOps({ engine, registry });
      const waiting = await engine.client.enqueue(shipOrder.with({ orderId: 'later' }, { delay: '2h' }));
      expect(waiting.via).toBe('scheduler');
      expect(await ops.cancel(waiting.jobId)).toEqual({
        outcome: 'cancelled',
        jobId: waiting.jobId,
        where: 'schedule',
      });
      await engine.runUntilIdle();
      expect(shipping.effectsOf(waiting.jobId)).toBe(0);
      expect((await ops.schedules()).items.filter((s) => s.kind === 'one-time')).toEqual([]);
    } finally {
      engine.close();
    }
  });

  let world: OpsWorld;
  beforeEach(async () => {
    world = await motoWorld.create([shipOrder]);
  });
  afterEach(() => world.teardown());

  it('on moto, through createAwsOps from the environment: the schedule is deleted in EventBridge Scheduler', async () => {
    const groupName = uniqueName('wharf-cancel');
    const scheduler = schedulerClient();
    await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
    const env = {
      ...world.env,
      WHARF_SCHEDULE_GROUP: groupName,
      WHARF_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/wharf-scheduler',
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'us-east-1',
    };
    const producer = createAwsRuntime({ registry: createRegistry([shipOrder]), env });
    const ops = createAwsOps({ registry: createRegistry([shipOrder]), env, endpoint: motoEndpoint() });
    try {
      const waiting = await producer.client.enqueue(shipOrder.with({ orderId: 'later' }, { delay: '3h' }));
      expect(waiting.via).toBe('scheduler');
      const name = oneTimeScheduleName(waiting.jobId);
      expect((await scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }))).Name).toBe(
        name,
      );
      expect((await ops.schedules()).items.map((s) => s.name)).toContain(waiting.jobId);

      expect(await ops.cancel(waiting.jobId)).toEqual({
        outcome: 'cancelled',
        jobId: waiting.jobId,
        where: 'schedule',
      });
      await expect(
        scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      expect((await ops.schedules()).items.map((s) => s.name)).not.toContain(waiting.jobId);
    } finally {
      ops.close();
      producer.clients.close();
      scheduler.destroy();
    }
  });
});

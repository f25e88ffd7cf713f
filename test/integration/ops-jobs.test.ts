import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import type { Ops } from '../../src/ops/types';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { embeddedWorld, motoWorld, type OpsWorld } from '../helpers/ops-worlds';

describe.each([embeddedWorld, motoWorld])('ops jobs and queues on the $name', (factory) => {
  let world: OpsWorld;
  let ops: Ops;
  beforeEach(async () => {
    shipping.reset();
    world = await factory.create([shipOrder]);
    ops = world.ops();
  });
  afterEach(() => world.teardown());

  it('counts visible, delayed and dead messages of each queue', async () => {
    await world.client.enqueue(shipOrder.with({ orderId: 'dead' }));
    await world.drain();
    await world.client.enqueue(shipOrder.with({ orderId: 'now' }));
    await world.client.enqueue(shipOrder.with({ orderId: 'later' }, { delay: '5m' }));
    expect(await ops.queues()).toEqual([
      expect.objectContaining({ queue: world.queue, visible: 1, inFlight: 0, delayed: 1, deadLetters: 1 }),
    ]);
  });

  it('looks a dead job up by id: its record, its payload redacted, and its dead letter', async () => {
    const { jobId } = await world.client.enqueue(
      shipOrder.with({ orderId: 'o1', card: { number: '4242424242424242' } }),
    );
    await world.drain();
    const detail = await ops.job(jobId);
    expect(detail.record).toMatchObject({
      jobId,
      status: 'dead',
      attempt: 1,
      lastError: { message: 'warehouse refused order o1' },
    });
    expect(detail.payload).toEqual({ orderId: 'o1', card: { number: '[redacted]' } });
    expect(detail.deadLetters).toEqual([expect.objectContaining({ jobId, reason: 'retries-exhausted' })]);
    expect(await ops.job('no-such-job')).toEqual({ deadLetters: [] });
  });

  it('lists jobs by status, newest first', async () => {
    const dead = await world.client.enqueue(shipOrder.with({ orderId: 'o1' }));
    await world.drain();
    shipping.broken = false;
    const done = await world.client.enqueue(shipOrder.with({ orderId: 'o2' }));
    await world.drain();
    expect((await ops.jobs({ status: 'dead' })).records.map((r) => r.jobId)).toEqual([dead.jobId]);
    expect((await ops.jobs({ status: 'succeeded' })).records.map((r) => r.jobId)).toEqual([done.jobId]);
    expect((await ops.jobs({})).records).toHaveLength(2);
  });

  it('enqueues a job whose payload passes its schema, and refuses one that does not, saying why', async () => {
    shipping.broken = false;
    const enqueued = await ops.enqueue({ job: 'ship-order', payload: { orderId: 'o9' } });
    await world.drain();
    expect(shipping.effectsOf(enqueued.jobId)).toBe(1);
    await expect(ops.enqueue({ job: 'ship-order', payload: { orderId: 9 } })).rejects.toSatisfy(
      (error: Error) => hasCode(error, 'WHARF_INVALID_PAYLOAD') && /orderId/.test(error.message),
    );
    await expect(ops.enqueue({ job: 'no-such-job', payload: {} })).rejects.toSatisfy(
      (error: Error) => hasCode(error, 'WHARF_NOT_FOUND') && /Known jobs: ship-order/.test(error.message),
    );
  });

  it('says when no schedules are configured, and lists them from a schedule source', async () => {
    expect(await ops.schedules()).toEqual({ available: false, items: [] });
    const nightly = {
      name: 'nightly',
      job: 'ship-order',
      expression: 'cron(0 2 * * ? *)',
      enabled: true,
      nextRunsMs: [1],
    };
    const withSchedules = world.ops({
      schedules: { list: async () => [nightly], runNow: async () => ({ jobId: 'manual-1' }) },
    });
    expect(await withSchedules.schedules()).toEqual({ available: true, items: [nightly] });
    expect(await withSchedules.runSchedule('nightly')).toEqual({ jobId: 'manual-1' });
  });
});

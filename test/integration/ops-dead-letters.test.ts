import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGE_ATTRIBUTES as ATTR } from 'wharf-jobs/adapters';
import type { Ops } from '../../src/ops/types';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { embeddedWorld, motoWorld, type OpsWorld } from '../helpers/ops-worlds';

// ops/ over both adapters: the embedded engine's memory queues and moto's SQS (where message move tasks do not
// exist, so "retry all" falls back to copy-then-delete; the embedded engine has move tasks).
describe.each([embeddedWorld, motoWorld])('ops dead letters on the $name', (factory) => {
  let world: OpsWorld;
  let ops: Ops;
  beforeEach(async () => {
    shipping.reset();
    world = await factory.create([shipOrder]);
    ops = world.ops();
  });
  afterEach(() => world.teardown());

  /** Enqueues orders while the warehouse is broken: each becomes a dead letter; returns their job ids. */
  async function deadOrders(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 1; i <= count; i++) {
      const order = { orderId: `o${i}`, card: { number: '4242424242424242' } };
      ids.push((await world.client.enqueue(shipOrder.with(order))).jobId);
    }
    await world.drain();
    return ids;
  }

  it('lists dead letters without consuming them, each with its story and the card number redacted', async () => {
    const [jobId] = await deadOrders(1);
    const first = await ops.deadLetters();
    const second = await ops.deadLetters();
    expect(second.items.map((d) => d.messageId)).toEqual(first.items.map((d) => d.messageId));
    expect(first.truncated).toBe(false);
    expect(first.items).toHaveLength(1);
    expect(first.items[0]).toMatchObject({
      kind: 'dead-letter',
      jobId,
      jobName: 'ship-order',
      reason: 'retries-exhausted',
      attempts: 1,
      error: { name: 'Error', message: 'warehouse refused order o1' },
      payload: { orderId: 'o1', card: { number: '[redacted]' } },
    });
    expect((await ops.queues())[0]).toMatchObject({
      queue: world.queue,
      deadLetters: 1,
      jobs: ['ship-order'],
    });
  });

  it('shows poison input with its raw body and the reason from its attributes', async () => {
    await world.sendRaw('this is not json {');
    await world.drain();
    const [poison] = (await ops.deadLetters()).items;
    expect(poison).toMatchObject({ kind: 'poison', reason: 'malformed-body', rawBody: 'this is not json {' });
    expect(await ops.deadLetter(poison!.messageId)).toMatchObject({ messageId: poison!.messageId });
    const report = await ops.retry({ refs: [poison!.messageId] });
    expect(report.failed).toEqual([expect.objectContaining({ code: 'WHARF_BAD_ENVELOPE' })]);
    expect((await ops.deadLetters()).items).toHaveLength(1);
  });

  it('explains a message the queue itself moved after maxReceiveCount receives, and retries it', async () => {
    const now = Date.now();
    const envelope = {
      v: 1,
      id: 'crashed-1',
      job: 'ship-order',
      payload: { orderId: 'o7' },
      attempt: 1,
      createdAtMs: now,
      enqueuedAtMs: now,
    };
    await world.crash(JSON.stringify(envelope));
    const [crashed] = (await ops.deadLetters()).items;
    expect(crashed).toMatchObject({
      kind: 'max-receives',
      reason: 'max-receives',
      jobId: 'crashed-1',
      attempts: 1,
      error: { name: 'MaxReceivesExceeded', message: expect.stringMatching(/no worker recorded an outcome/) },
    });
    shipping.broken = false;
    expect((await ops.retry({ refs: ['crashed-1'] })).succeeded).toHaveLength(1);
    await world.drain();
    expect(shipping.effectsOf('crashed-1')).toBe(1);
  });

  it('retries one dead letter by job id: it runs again under the same job id, once', async () => {
    const [jobId, other] = await deadOrders(2);
    shipping.broken = false;
    const report = await ops.retry({ refs: [jobId!] });
    expect(report).toMatchObject({ action: 'retry', method: 'copy', notFound: [], failed: [] });
    expect(report.succeeded).toEqual([expect.objectContaining({ jobId })]);
    await world.drain();
    expect(shipping.effectsOf(jobId!)).toBe(1);
    expect((await world.store.get(jobId!, world.clock.nowMs()))?.status).toBe('succeeded');
    expect((await ops.deadLetters()).items.map((d) => d.jobId)).toEqual([other]);
  });

  it('retries all dead letters, with a move task where the endpoint has them and by copying where not', async () => {
    const ids = await deadOrders(3);
    shipping.broken = false;
    const report = await ops.retry({ all: true });
    if (factory === motoWorld) {
      expect(report.method).toBe('copy');
      expect(report.fallback).toMatch(/move tasks are not available/);
      expect(report.succeeded).toHaveLength(3);
    } else {
      expect(report.method).toBe('move-task');
      expect(report.moveTasks).toEqual([expect.objectContaining({ status: 'COMPLETED', moved: 3 })]);
    }
    await world.drain();
    expect(ids.map((id) => shipping.effectsOf(id))).toEqual([1, 1, 1]);
    expect((await ops.deadLetters()).items).toEqual([]);
  });

  it('loses nothing and runs nothing twice when a redrive is killed halfway; running it again completes it', async () => {
    const ids = await deadOrders(5);
    shipping.broken = false;
    world.faults.batchSize = 2;
    world.faults.throwOnDeleteCall = 2; // the second batch was copied, and the process died before deleting it
    const copying = world.ops({ redrive: 'copy' });
    await expect(copying.retry({ all: true })).rejects.toThrow(/process killed/);
    const halfway = await ops.deadLetters();
    expect(halfway.items).toHaveLength(3); // 2 copied and not deleted, 1 never reached
    const again = await copying.retry({ all: true });
    expect(again.succeeded).toHaveLength(3);
    await world.drain();
    expect(ids.map((id) => shipping.effectsOf(id))).toEqual([1, 1, 1, 1, 1]);
    expect((await ops.deadLetters()).items).toEqual([]);
    expect(world.events.filter((e) => e.type === 'duplicate')).toHaveLength(2);
  });

  it('deletes a dead letter only once its copy is confirmed: refused copies stay in the DLQ', async () => {
    await deadOrders(3);
    shipping.broken = false;
    world.faults.refuseCopiesAfter = 1;
    const report = await world.ops({ redrive: 'copy' }).retry({ all: true });
    expect(report.succeeded).toHaveLength(1);
    expect(report.failed).toHaveLength(2);
    expect(report.failed[0]?.message).toMatch(/copy was not confirmed.*stays in the DLQ/);
    expect((await ops.deadLetters()).items).toHaveLength(2);
  });

  it('acknowledges the redriven dead letter of a job that already completed, without a second effect', async () => {
    const [jobId] = await deadOrders(1);
    shipping.broken = false;
    world.faults.throwOnDeleteCall = 1; // copied, never deleted: the dead letter stays while its copy runs
    await expect(ops.retry({ refs: [jobId!] })).rejects.toThrow(/process killed/);
    await world.drain();
    expect(shipping.effectsOf(jobId!)).toBe(1);
    const report = await ops.retry({ refs: [jobId!] });
    expect(report.succeeded).toHaveLength(1);
    await world.drain();
    expect(shipping.effectsOf(jobId!)).toBe(1);
    expect(world.events.filter((e) => e.type === 'duplicate' && e.jobId === jobId)).toHaveLength(1);
  });

  it('leaves a dead letter whose payload the job no longer accepts in the DLQ, saying why', async () => {
    const [jobId] = await deadOrders(1);
    shipping.broken = false;
    shipping.schemaChanged = true;
    const report = await ops.retry({ refs: [jobId!] });
    expect(report.succeeded).toEqual([]);
    expect(report.failed).toEqual([
      expect.objectContaining({
        jobId,
        code: 'WHARF_INVALID_PAYLOAD',
        message: expect.stringMatching(/no longer matches.*ship-order v2/),
      }),
    ]);
    expect((await ops.deadLetters()).items.map((d) => d.jobId)).toEqual([jobId]);
  });

  it('sends it back to the DLQ with reason invalid-payload when retried without the registry', async () => {
    const [jobId] = await deadOrders(1);
    shipping.schemaChanged = true;
    const report = await world.ops({ registry: undefined }).retry({ refs: [jobId!] });
    expect(report.succeeded).toHaveLength(1);
    await world.drain();
    const [back] = (await ops.deadLetters()).items;
    expect(back).toMatchObject({ jobId, reason: 'invalid-payload' });
    expect(back?.attributes[ATTR.reason]).toBe('invalid-payload');
    expect(shipping.effectsOf(jobId!)).toBe(0);
  });

  it('discards one dead letter by message id and reports references that match none', async () => {
    const [gone, kept] = await deadOrders(2);
    const target = (await ops.deadLetters()).items.find((d) => d.jobId === gone)!;
    const report = await ops.discard({ refs: [target.messageId, 'no-such-id'] });
    expect(report).toMatchObject({
      action: 'discard',
      method: 'delete',
      notFound: ['no-such-id'],
      failed: [],
    });
    expect(report.succeeded).toEqual([expect.objectContaining({ messageId: target.messageId, jobId: gone })]);
    expect((await ops.deadLetters()).items.map((d) => d.jobId)).toEqual([kept]);
    expect((await ops.discard({ all: true })).succeeded).toHaveLength(1);
    expect((await ops.queues())[0]?.deadLetters).toBe(0);
  });
});

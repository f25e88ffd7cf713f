import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../../src/define-job';
import { ConflictError } from '../../../src/errors';
import { createRegistry } from '../../../src/job/registry';
import { createLocalEngine, type LocalEngine } from '../../../src/local/local-engine';

const shipped: string[] = [];
const shipOrder = defineJob({
  name: 'ship-order',
  schema: z.object({ orderId: z.string() }),
  jobId: (p) => p.orderId,
  idempotency: 'exactly-once',
  perform: ({ orderId }) => void shipped.push(orderId),
});
const remind = defineJob({
  name: 'remind',
  schema: z.object({ userId: z.string() }),
  perform: ({ userId }) => void shipped.push(`remind ${userId}`),
});

/** The caller's own write in the same transaction: the embedded engine holds no table for it. */
const orderRow = { Put: { TableName: 'orders', Item: { pk: { S: 'order#o1' } } } };

describe("the embedded engine's outbox", () => {
  let engine: LocalEngine;

  beforeEach(() => {
    shipped.length = 0;
    engine = createLocalEngine({ registry: createRegistry([shipOrder, remind]) });
  });
  afterEach(() => engine.close());

  it('runs a job once its transaction commits, once', async () => {
    const items = [orderRow, ...(await engine.client.transactItems(shipOrder.with({ orderId: 'o1' })))];
    await engine.runUntilIdle();
    expect(shipped).toEqual([]);
    const commit = await engine.commitOutbox(items);
    expect(commit.sent).toEqual(['ship-order:o1']);
    await engine.runUntilIdle();
    expect(shipped).toEqual(['o1']);
  });

  it('runs nothing for a transaction that never commits', async () => {
    await engine.client.transactItems(shipOrder.with({ orderId: 'o1' }));
    const summary = await engine.runUntilIdle();
    expect(shipped).toEqual([]);
    expect(summary.messages).toBe(0);
  });

  it('sends nothing when the stream replays the commit: the relay cleared each entry it sent', async () => {
    const commit = await engine.commitOutbox(
      await engine.client.transactItems(remind.with({ userId: 'u1' })),
    );
    const replayed = await commit.replay();
    expect(replayed.sent).toEqual([]);
    await engine.runUntilIdle();
    // `remind` is tracked (ids are random): a second send would have run it twice.
    expect(shipped).toEqual(['remind u1']);
  });

  it('refuses the whole transaction when an entry for one of its job ids still waits', async () => {
    const items = await engine.client.transactItems([remind.with({ userId: 'u1' }, { jobId: 'r1' })]);
    // Put but not yet relayed: what a relay that keeps failing leaves in the table.
    const stuck = engine.transport;
    stuck.failNextSends(1, { permanent: true });
    await expect(engine.commitOutbox(items)).rejects.toThrow(/could not send 1 of 1 entries/);
    await expect(engine.commitOutbox(items)).rejects.toThrow(ConflictError);
  });

  it('runs an exactly-once job once when two transactions commit it under one id', async () => {
    await engine.commitOutbox(await engine.client.transactItems(shipOrder.with({ orderId: 'o1' })));
    await engine.runUntilIdle();
    await engine.commitOutbox(await engine.client.transactItems(shipOrder.with({ orderId: 'o1' })));
    await engine.runUntilIdle();
    expect(shipped).toEqual(['o1']);
  });

  it('waits out a delay the entry carries', async () => {
    const before = engine.clock.nowMs();
    await engine.commitOutbox(
      await engine.client.transactItems(remind.with({ userId: 'u2' }, { delay: '1h' })),
    );
    await engine.runUntilIdle();
    expect(shipped).toEqual(['remind u2']);
    expect(engine.clock.nowMs()).toBeGreaterThanOrEqual(before + 3_600_000);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import type { Ops } from '../../src/ops/types';
import type { BatchCallbackKind, BatchOutcome, JobStore } from '../../src/store/types';
import { motoWharf } from '../helpers/moto-cli';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { embeddedWorld, motoWorld, type OpsWorld } from '../helpers/ops-worlds';

// What operators see of batches (README "Batches"): ops.batch and ops.batches over the memory store and over the
// DynamoDB store on moto server. The records are made and counted through the store's own batch operations, the
// ones the client and the engine use, so that a test can hold a batch half-way; the whole engine path of batches
// is test/integration/batches.test.ts.
async function seedBatch(
  store: JobStore,
  input: { batchId: string; total: number; nowMs: number; callbacks?: readonly BatchCallbackKind[] },
): Promise<void> {
  const callbacks = (input.callbacks ?? []).map((kind) => ({
    kind,
    address: 'ops',
    envelope: {
      v: 1 as const,
      id: `${input.batchId}:${kind}`,
      job: 'ship-order',
      payload: { orderId: kind },
      attempt: 1,
      createdAtMs: input.nowMs,
      enqueuedAtMs: input.nowMs,
      callbackOf: input.batchId,
    },
  }));
  const created = await store.createBatch({
    batchId: input.batchId,
    description: `import ${input.batchId}`,
    total: input.total,
    callbacks,
    nowMs: input.nowMs,
    expiresAtSec: Math.floor(input.nowMs / 1000) + 86_400,
  });
  expect(created).toBe('created');
}

async function count(store: JobStore, batchId: string, outcomes: readonly BatchOutcome[], nowMs: number) {
  for (const [i, outcome] of outcomes.entries()) {
    const result = await store.countBatchChild({ batchId, jobId: `${batchId}-child-${i}`, outcome, nowMs });
    expect(result.kind).toBe('counted');
  }
}

describe.each([embeddedWorld, motoWorld])('ops batches on the $name', (factory) => {
  let world: OpsWorld;
  let ops: Ops;
  beforeEach(async () => {
    shipping.reset();
    world = await factory.create([shipOrder]);
    ops = world.ops();
  });
  afterEach(() => world.teardown());

  it("shows an open batch's progress, and onSuccess ruled out as soon as a child ends otherwise", async () => {
    const now = world.clock.nowMs();
    await seedBatch(world.store, {
      batchId: 'b-open',
      total: 5,
      nowMs: now,
      callbacks: ['onSuccess', 'onFinish'],
    });
    await count(world.store, 'b-open', ['succeeded', 'succeeded', 'dead'], now);

    const batch = await ops.batch('b-open');
    expect(batch).toMatchObject({
      batchId: 'b-open',
      description: 'import b-open',
      total: 5,
      pending: 2,
      ended: 3,
      counts: { succeeded: 2, dead: 1, discarded: 0, expired: 0, cancelled: 0 },
      createdAtMs: now,
      callbacks: [
        { kind: 'onSuccess', jobName: 'ship-order', jobId: 'b-open:onSuccess', state: 'will-not-run' },
        { kind: 'onFinish', jobName: 'ship-order', jobId: 'b-open:onFinish', state: 'waiting' },
      ],
    });
    expect(batch.finishedAtMs).toBeUndefined();
    // The callbacks' envelopes (their payloads) are not part of what ops hands out.
    expect(JSON.stringify(batch)).not.toContain('payload');
  });

  it('shows a finished batch: due callbacks sending until marked sent, the others never to run', async () => {
    const now = world.clock.nowMs();
    await seedBatch(world.store, {
      batchId: 'b-done',
      total: 2,
      nowMs: now,
      callbacks: ['onSuccess', 'onFinish', 'onDiscard'],
    });
    await count(world.store, 'b-done', ['succeeded', 'discarded'], now + 1000);
    const states = async () =>
      Object.fromEntries((await ops.batch('b-done')).callbacks.map((c) => [c.kind, c.state]));
    expect(await states()).toEqual({ onSuccess: 'will-not-run', onFinish: 'sending', onDiscard: 'sending' });

    await world.store.markBatchCallbacksSent('b-done', now + 2000);
    const batch = await ops.batch('b-done');
    expect(batch).toMatchObject({
      pending: 0,
      ended: 2,
      finishedAtMs: now + 1000,
      callbacksSentAtMs: now + 2000,
    });
    expect(await states()).toEqual({ onSuccess: 'will-not-run', onFinish: 'sent', onDiscard: 'sent' });
  });

  it('answers WHARF_NOT_FOUND for a batch that does not exist', async () => {
    const error = await ops.batch('no-such-batch').catch((e: unknown) => e);
    expect(hasCode(error, 'WHARF_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toContain('no-such-batch');
  });

  it('lists batches newest first, a page at a time, each once, with a cursor only while more remain', async () => {
    const now = world.clock.nowMs();
    // Two share a creation time: the id orders them, so no page skips or repeats one.
    const ids = ['b1', 'b2', 'b3', 'b4', 'b5'];
    for (const [i, batchId] of ids.entries()) {
      await seedBatch(world.store, { batchId, total: 1, nowMs: now - (i === 4 ? 3 : i) * 1000 });
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ops.batches({ limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.batches.length).toBeLessThanOrEqual(2);
      seen.push(...page.batches.map((b) => b.batchId));
      cursor = page.cursor;
      pages += 1;
    } while (cursor && pages < 10);
    // Created at now, -1s, -2s, -3s, -3s: b4 and b5 tie, and the greater id comes first.
    expect(seen).toEqual(['b1', 'b2', 'b3', 'b5', 'b4']);
    expect(pages).toBe(3);
  });

  it('refuses a cursor it did not issue and a limit out of range, as usage errors', async () => {
    const bad = await ops.batches({ cursor: 'not-a-cursor' }).catch((e: unknown) => e);
    expect(hasCode(bad, 'WHARF_INVALID_OPTIONS')).toBe(true);
    const big = await ops.batches({ limit: 101 }).catch((e: unknown) => e);
    expect(hasCode(big, 'WHARF_INVALID_OPTIONS')).toBe(true);
  });
});

describe('ops batches on the embedded engine, from a real enqueueBatch', () => {
  it('counts the children the engine ran and shows the callbacks it sent', async () => {
    shipping.reset();
    shipping.broken = false;
    const world = await embeddedWorld.create([shipOrder]);
    try {
      const enqueued = await world.client.enqueueBatch!(
        [shipOrder.with({ orderId: 'a' }), shipOrder.with({ orderId: 'b' })],
        { onSuccess: shipOrder.with({ orderId: 'all' }), onFinish: shipOrder.with({ orderId: 'end' }) },
      );
      const ops = world.ops();
      expect(await ops.batch(enqueued.batchId)).toMatchObject({ total: 2, pending: 2, ended: 0 });
      await world.drain();
      const batch = await ops.batch(enqueued.batchId);
      expect(batch).toMatchObject({ total: 2, pending: 0, ended: 2, counts: { succeeded: 2 } });
      expect(batch.callbacks.map((c) => [c.kind, c.state])).toEqual([
        ['onSuccess', 'sent'],
        ['onFinish', 'sent'],
      ]);
      expect((await ops.job(`${enqueued.batchId}:onFinish`)).record?.status).toBe('succeeded');
      expect((await ops.batches()).batches.map((b) => b.batchId)).toEqual([enqueued.batchId]);
    } finally {
      await world.teardown();
    }
  });
});

describe('wharf batch and wharf batches against moto server', () => {
  let world: OpsWorld;
  const wharf = motoWharf(() => world.env ?? {});
  beforeEach(async () => {
    world = await motoWorld.create([shipOrder]);
  });
  afterEach(() => world.teardown());

  it('prints a batch, lists batches, and exits 4 for an unknown batch', async () => {
    const now = Date.now();
    await seedBatch(world.store, {
      batchId: 'cli-b',
      total: 4,
      nowMs: now,
      callbacks: ['onSuccess', 'onFinish'],
    });
    await count(world.store, 'cli-b', ['succeeded', 'succeeded', 'dead'], now);

    const shown = await wharf(['batch', 'cli-b']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(
      '3/4 ended: 2 succeeded, 1 dead; onSuccess will not run, onFinish waits for the batch to end',
    );
    expect(shown.stdout).toMatch(/^State:\s+open$/m);

    const json = await wharf(['--json', 'batch', 'cli-b']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ batchId: 'cli-b', total: 4, pending: 1, ended: 3 });

    const listed = await wharf(['batches', '--limit', '5']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/cli-b\s+open\s+3\/4\s+2 succeeded, 1 dead/);
    expect(listed.stdout).not.toContain('more: --cursor');

    const missing = await wharf(['batch', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('No batch "nope"');
  });
});

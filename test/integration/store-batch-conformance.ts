import { describe, expect, it } from 'vitest';
import type { BatchCallback, CreateBatchInput, JobStore } from '../../src/store/types';
import { expiresAtSecFrom, type StoreAdapter, T0 } from '../helpers/job-store';

// Batches' store operations (README "Batches"), run inside the store conformance suite on both adapters: the
// memory store and the DynamoDB store on moto.

let sequence = 0;
const newBatchId = () => `batch-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

const onFinish: BatchCallback = {
  kind: 'onFinish',
  address: 'default',
  envelope: {
    v: 1,
    id: 'x:onFinish',
    job: 'summarize',
    payload: { importId: 'i-1' },
    attempt: 1,
    createdAtMs: T0,
    enqueuedAtMs: T0,
  },
};

const create = (batchId: string, overrides: Partial<CreateBatchInput> = {}): CreateBatchInput => ({
  batchId,
  total: 3,
  callbacks: [onFinish],
  nowMs: T0,
  expiresAtSec: expiresAtSecFrom(T0),
  ...overrides,
});

export function describeBatches(_adapter: StoreAdapter, storeOf: () => JobStore): void {
  describe('batches', () => {
    it('creates a batch with every child pending and its callbacks as given, and refuses its id a second time', async () => {
      const store = storeOf();
      const id = newBatchId();
      expect(await store.createBatch(create(id, { description: 'import 7' }))).toBe('created');
      expect(await store.createBatch(create(id, { total: 9 }))).toBe('exists');
      const batch = await store.getBatch(id, T0);
      expect(batch).toMatchObject({
        batchId: id,
        description: 'import 7',
        total: 3,
        pending: 3,
        createdAtMs: T0,
      });
      expect(batch?.counts).toEqual({ succeeded: 0, dead: 0, discarded: 0, expired: 0, cancelled: 0 });
      expect(batch?.callbacks).toEqual([onFinish]);
      expect(batch?.finishedAtMs).toBeUndefined();
    });

    it('counts each child once, with the outcome it first brought, even when it comes again', async () => {
      const store = storeOf();
      const id = newBatchId();
      await store.createBatch(create(id));
      const first = await store.countBatchChild({ batchId: id, jobId: 'c1', outcome: 'dead', nowMs: T0 + 1 });
      expect(first.kind).toBe('counted');
      const again = await store.countBatchChild({
        batchId: id,
        jobId: 'c1',
        outcome: 'succeeded',
        nowMs: T0 + 2,
      });
      expect(again.kind).toBe('already-counted');
      const batch = await store.getBatch(id, T0 + 3);
      expect(batch).toMatchObject({ pending: 2, total: 3 });
      expect(batch?.counts).toMatchObject({ dead: 1, succeeded: 0 });
    });

    it('counts concurrent deliveries of one child once', async () => {
      const store = storeOf();
      const id = newBatchId();
      await store.createBatch(create(id));
      const results = await Promise.all(
        [1, 2, 3, 4].map(() =>
          store.countBatchChild({ batchId: id, jobId: 'c1', outcome: 'succeeded', nowMs: T0 + 1 }),
        ),
      );
      expect(results.filter((r) => r.kind === 'counted')).toHaveLength(1);
      expect((await store.getBatch(id, T0 + 2))?.pending).toBe(2);
    });

    it('says of concurrent counts that only the one that brought pending to 0 ended the batch', async () => {
      // Every child of a batch of 10 counted at once, as one Lambda invocation of 10 records does: those that read
      // the record after the last count see it finished, but only one may send the callbacks.
      const store = storeOf();
      const id = newBatchId();
      await store.createBatch(create(id, { total: 10 }));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.countBatchChild({ batchId: id, jobId: `c${i}`, outcome: 'succeeded', nowMs: T0 + 1 }),
        ),
      );
      expect(results.map((r) => r.kind)).toEqual(Array(10).fill('counted'));
      expect(results.filter((r) => r.kind === 'counted' && r.ended)).toHaveLength(1);
      expect((await store.getBatch(id, T0 + 2))?.pending).toBe(0);
    });

    it('finishes when the last child is counted: that count sees pending 0 and the finish time', async () => {
      const store = storeOf();
      const id = newBatchId();
      await store.createBatch(create(id));
      await store.countBatchChild({ batchId: id, jobId: 'a', outcome: 'succeeded', nowMs: T0 + 1 });
      await store.countBatchChild({ batchId: id, jobId: 'b', outcome: 'expired', nowMs: T0 + 2 });
      const last = await store.countBatchChild({
        batchId: id,
        jobId: 'c',
        outcome: 'cancelled',
        nowMs: T0 + 3,
      });
      expect(last).toMatchObject({ kind: 'counted', ended: true });
      if (last.kind !== 'counted') return;
      expect(last.batch).toMatchObject({ pending: 0, finishedAtMs: T0 + 3 });
      expect(last.batch.counts).toMatchObject({ succeeded: 1, expired: 1, cancelled: 1 });
      const late = await store.countBatchChild({
        batchId: id,
        jobId: 'd',
        outcome: 'succeeded',
        nowMs: T0 + 4,
      });
      expect(late.kind).toBe('closed');
      expect((await store.getBatch(id, T0 + 5))?.counts.succeeded).toBe(1);
    });

    it('grows an open batch and shrinks it by children never sent, never below 0, and never once finished', async () => {
      const store = storeOf();
      const id = newBatchId();
      await store.createBatch(create(id, { total: 2 }));
      const grown = await store.resizeBatch({ batchId: id, delta: 3, nowMs: T0 + 1 });
      expect(grown).toMatchObject({ kind: 'resized', batch: { total: 5, pending: 5 } });
      expect((await store.resizeBatch({ batchId: id, delta: -6, nowMs: T0 + 2 })).kind).toBe('closed');
      const shrunk = await store.resizeBatch({ batchId: id, delta: -5, nowMs: T0 + 3 });
      expect(shrunk).toMatchObject({
        kind: 'resized',
        batch: { total: 0, pending: 0, finishedAtMs: T0 + 3 },
      });
      const closed = await store.resizeBatch({ batchId: id, delta: 1, nowMs: T0 + 4 });
      expect(closed).toMatchObject({ kind: 'closed', batch: { total: 0 } });
      expect((await store.resizeBatch({ batchId: newBatchId(), delta: 1, nowMs: T0 })).kind).toBe('closed');
    });

    it('marks the callbacks sent once, keeping the first time', async () => {
      const store = storeOf();
      const id = newBatchId();
      await store.createBatch(create(id, { total: 1 }));
      await store.countBatchChild({ batchId: id, jobId: 'a', outcome: 'succeeded', nowMs: T0 + 1 });
      await store.markBatchCallbacksSent(id, T0 + 2);
      await store.markBatchCallbacksSent(id, T0 + 9);
      expect((await store.getBatch(id, T0 + 10))?.callbacksSentAtMs).toBe(T0 + 2);
    });

    it('answers missing for a batch that does not exist or has expired, and lists live batches newest first', async () => {
      const store = storeOf();
      expect(
        await store.countBatchChild({ batchId: newBatchId(), jobId: 'a', outcome: 'succeeded', nowMs: T0 }),
      ).toEqual({
        kind: 'missing',
      });
      const older = newBatchId();
      const newer = newBatchId();
      const gone = newBatchId();
      await store.createBatch(create(older, { nowMs: T0 + 10 }));
      await store.createBatch(create(newer, { nowMs: T0 + 20 }));
      await store.createBatch(create(gone, { nowMs: T0 + 30, expiresAtSec: Math.ceil(T0 / 1000) + 60 }));
      expect(await store.getBatch(gone, T0 + 61_000)).toBeUndefined();
      const listed = (await store.listBatches({ limit: 100 }, T0 + 61_000)).map((b) => b.batchId);
      expect(listed).not.toContain(gone);
      expect(listed.indexOf(newer)).toBeGreaterThanOrEqual(0);
      expect(listed.indexOf(newer)).toBeLessThan(listed.indexOf(older));
    });

    it('never shows a batch or a child marker as a job', async () => {
      const store = storeOf();
      const id = newBatchId();
      await store.createBatch(create(id, { total: 1 }));
      await store.countBatchChild({ batchId: id, jobId: 'a', outcome: 'succeeded', nowMs: T0 + 1 });
      expect(await store.get(`batch#${id}`, T0)).toBeUndefined();
      const { records } = await store.list({ limit: 100 }, T0 + 2);
      expect(records.some((r) => r.jobId.includes(id))).toBe(false);
    });
  });
}

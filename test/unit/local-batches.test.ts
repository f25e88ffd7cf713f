import { afterEach, describe, expect, it } from 'vitest';
import { performBatch } from '../../src/client/perform-batch';
import { toOutgoing } from '../../src/envelope/outgoing';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { createMemoryJobStore } from '../../src/store/memory-store';
import type { JobStore } from '../../src/store/types';
import { type BatchWorld, batchJobs, newBatchWorld } from '../helpers/batch-world';

// Batches on the embedded engine (README "Batches"): the acceptance of issue 17, and the crash windows.

describe('batches on the embedded engine', () => {
  let engine: LocalEngine | undefined;
  afterEach(() => engine?.close());

  function start(world: BatchWorld, store: JobStore = createMemoryJobStore(), clock?: ManualClock) {
    const jobs = batchJobs(world);
    world.store = store;
    engine = createLocalEngine({
      registry: createRegistry([jobs.importRow, jobs.notify, jobs.summarize, jobs.alert]),
      store,
      installAsDefault: true,
      ...(clock ? { clock } : {}),
    });
    return jobs;
  }

  const callbacks = (jobs: ReturnType<typeof batchJobs>, importId = 'imp-1') => ({
    onSuccess: jobs.notify.with({ importId }),
    onFinish: jobs.summarize.with({ importId }),
    onDiscard: jobs.alert.with({ importId }),
  });

  it('runs onFinish and onDiscard once and onSuccess never for a batch of 100 with three children dead', async () => {
    const world = newBatchWorld();
    for (const row of [7, 42, 99]) world.failing.add(row);
    const jobs = start(world);
    const rows = Array.from({ length: 100 }, (_, i) => i);
    const batch = await performBatch(
      rows.map((row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    expect(batch.enqueued).toHaveLength(100);
    await engine!.runUntilIdle();
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['alert', 'summarize']);
    const summary = world.callbackRuns.find((c) => c.kind === 'summarize');
    expect(summary).toEqual({
      kind: 'summarize',
      importId: 'imp-1',
      batchId: batch.batchId,
      succeeded: 97,
      dead: 3,
      rowRunsBefore: 100,
    });
    const record = await engine!.store.getBatch(batch.batchId, Date.now());
    expect(record).toMatchObject({ total: 100, pending: 0 });
    expect(record?.counts).toEqual({ succeeded: 97, dead: 3, discarded: 0, expired: 0, cancelled: 0 });
    expect(record?.callbacksSentAtMs).toBeDefined();
  });

  it('runs onSuccess and onFinish once, and onDiscard never, when every child succeeds', async () => {
    const world = newBatchWorld();
    const jobs = start(world);
    await performBatch(
      [1, 2, 3].map((row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    await engine!.runUntilIdle();
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['notify', 'summarize']);
  });

  it('counts a child delivered twice once: the batch waits for the others all the same', async () => {
    const world = newBatchWorld();
    const clock = createManualClock(Date.now());
    const jobs = start(world, createMemoryJobStore(), clock);
    // The third row is due a minute later, so the copy below comes while the batch still waits for it.
    const batch = await performBatch(
      [
        jobs.importRow.with({ row: 1 }),
        jobs.importRow.with({ row: 2 }),
        jobs.importRow.with({ row: 3 }, { delay: '1m' }),
      ],
      callbacks(jobs),
    );
    // The first child's message, delivered a second time before anything ran (SQS's at-least-once).
    const first = batch.enqueued[0]!;
    const now = clock.nowMs();
    const copy = {
      v: 1 as const,
      id: first.jobId,
      job: 'import-row',
      payload: { row: 1 },
      attempt: 1,
      createdAtMs: now,
      enqueuedAtMs: now,
      batch: batch.batchId,
    };
    await engine!.transport.send('default', [toOutgoing(copy, now)]);
    // What is due now: both rows and the copy, while the third row still waits for its minute.
    for (let i = 0; i < 5 && world.rowRuns.get(1) !== 2; i++) await engine!.tick();
    expect(world.rowRuns.has(3)).toBe(false);
    expect(await engine!.store.getBatch(batch.batchId, Date.now())).toMatchObject({ pending: 1 });
    await engine!.runUntilIdle();
    expect(world.rowRuns.get(1)).toBe(2); // tracked mode: the copy ran again, as the job's mode says
    const record = await engine!.store.getBatch(batch.batchId, Date.now());
    expect(record).toMatchObject({ total: 3, pending: 0 });
    expect(record?.counts.succeeded).toBe(3);
    // Counted twice, the copy would have ended the batch before the third row ran, and the summary would say 2.
    expect(world.callbackRuns.filter((c) => c.kind === 'summarize')).toEqual([
      expect.objectContaining({ succeeded: 3, rowRunsBefore: 4 }),
    ]);
  });

  it('keeps the batch open while a child adds jobs to it, until they end too', async () => {
    const world = newBatchWorld();
    world.adds.set(1, [10, 11]);
    world.adds.set(10, [20]);
    const jobs = start(world);
    const batch = await performBatch(
      [1, 2].map((row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    await engine!.runUntilIdle();
    expect([...world.rowRuns.keys()].sort((a, b) => a - b)).toEqual([1, 2, 10, 11, 20]);
    const record = await engine!.store.getBatch(batch.batchId, Date.now());
    expect(record).toMatchObject({ total: 5, pending: 0 });
    expect(world.callbackRuns.filter((c) => c.kind === 'summarize')).toEqual([
      expect.objectContaining({ succeeded: 5 }),
    ]);
  });

  it('still runs each callback once after a crash between the last count and the send', async () => {
    const world = newBatchWorld();
    const store = createMemoryJobStore();
    let crashes = 1;
    const crashing: JobStore = {
      ...store,
      async countBatchChild(input) {
        const counted = await store.countBatchChild(input);
        // The count is durable; the worker dies before it sends the callbacks (the message comes back).
        if (counted.kind === 'counted' && counted.batch.pending === 0 && crashes-- > 0)
          throw new Error('crash');
        return counted;
      },
    };
    const jobs = start(world, crashing);
    await performBatch(
      [1, 2].map((row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    await engine!.runUntilIdle();
    expect(crashes).toBe(0);
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['notify', 'summarize']);
  });

  it('runs each callback once when they were sent twice (a crash after the send, before it was marked)', async () => {
    const world = newBatchWorld();
    const store = createMemoryJobStore();
    let crashes = 1;
    const crashing: JobStore = {
      ...store,
      async markBatchCallbacksSent(batchId, nowMs) {
        if (crashes-- > 0) throw new Error('crash after the send');
        return store.markBatchCallbacksSent(batchId, nowMs);
      },
    };
    const jobs = start(world, crashing);
    const batch = await performBatch(
      [1, 2].map((row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    const summary = await engine!.runUntilIdle();
    expect(crashes).toBe(-1);
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['notify', 'summarize']);
    expect(summary).toBeDefined();
    expect((await store.get(`${batch.batchId}:onFinish`, Date.now()))?.status).toBe('succeeded');
  });

  it('refuses a bad child or callback at enqueue, sending nothing and creating no batch', async () => {
    const world = newBatchWorld();
    const jobs = start(world);
    await expect(
      performBatch([jobs.importRow.with({ row: 1 }), jobs.importRow.with({ row: 'x' as never })], {
        batchId: 'bad-1',
      }),
    ).rejects.toMatchObject({ code: 'WHARF_INVALID_PAYLOAD' });
    await expect(
      performBatch([jobs.importRow.with({ row: 1 })], {
        batchId: 'bad-2',
        onFinish: jobs.summarize.with({ importId: 7 as never }),
      }),
    ).rejects.toMatchObject({ code: 'WHARF_INVALID_PAYLOAD' });
    expect(await engine!.store.getBatch('bad-1', Date.now())).toBeUndefined();
    expect(await engine!.store.getBatch('bad-2', Date.now())).toBeUndefined();
    await engine!.runUntilIdle();
    expect(world.rowRuns.size).toBe(0);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { performBatch } from '../../src/client/perform-batch';
import { enableTestMode, type TestJobs } from '../../src/testing/index';
import { type BatchWorld, batchJobs, newBatchWorld } from '../helpers/batch-world';

// wharf-jobs/testing runs batches (README "Test your jobs"): performBatch is captured, performEnqueued runs the
// children through the real engine, which counts each in the batch record and captures the callbacks it sends.

let jobs: TestJobs;
let world: BatchWorld;
let defs: ReturnType<typeof batchJobs>;
beforeEach(() => {
  world = newBatchWorld();
  defs = batchJobs(world);
  jobs = enableTestMode({ now: new Date('2026-01-01T00:00:00Z') });
});
afterEach(() => jobs.restore());

const callbacks = () => ({
  onSuccess: defs.notify.with({ importId: 'imp-1' }),
  onFinish: defs.summarize.with({ importId: 'imp-1' }),
  onDiscard: defs.alert.with({ importId: 'imp-1' }),
});

describe('batches in test mode', () => {
  it('captures the children, and no callback until performEnqueued has run them', async () => {
    const batch = await performBatch(
      [1, 2].map((row) => defs.importRow.with({ row })),
      callbacks(),
    );
    expect(batch.enqueued).toHaveLength(2);
    expect(batch.batch).toMatchObject({ total: 2, pending: 2 });
    expect(jobs.enqueued().map((job) => [job.jobName, job.payload])).toEqual([
      ['import-row', { row: 1 }],
      ['import-row', { row: 2 }],
    ]);
  });

  it('runs onFinish and onDiscard once and onSuccess never for a batch of 5 with one child dead', async () => {
    world.failing.add(3);
    await performBatch(
      [1, 2, 3, 4, 5].map((row) => defs.importRow.with({ row })),
      callbacks(),
    );
    const { performed, failed, remaining } = await jobs.performEnqueued({ onFailure: 'collect' });
    expect(failed).toMatchObject([{ jobName: 'import-row', payload: { row: 3 }, outcome: 'dead' }]);
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['alert', 'summarize']);
    // The callbacks ran after every child had ended, and each once.
    expect(world.callbackRuns.every((c) => c.rowRunsBefore === 5)).toBe(true);
    expect(performed.filter((job) => job.jobName === 'notify')).toEqual([]);
    expect(jobs.performed(defs.summarize)).toHaveLength(1);
    expect(remaining).toBe(0);
  });

  it('runs onSuccess and onFinish, and onDiscard never, when every child succeeds', async () => {
    const batch = await performBatch(
      [1, 2, 3].map((row) => defs.importRow.with({ row })),
      callbacks(),
    );
    await jobs.performEnqueued();
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['notify', 'summarize']);
    expect(jobs.performed(defs.notify)).toMatchObject([
      { outcome: 'succeeded', jobId: `${batch.batchId}:onSuccess` },
    ]);
    expect(jobs.performed(defs.alert)).toEqual([]);
  });

  it('gives a callback its batch as ctx.batch', async () => {
    world.failing.add(2);
    const batch = await performBatch(
      [1, 2].map((row) => defs.importRow.with({ row })),
      { onFinish: defs.summarize.with({ importId: 'imp-9' }) },
    );
    await jobs.performEnqueued({ onFailure: 'collect' });
    expect(world.callbackRuns).toEqual([
      { kind: 'summarize', importId: 'imp-9', batchId: batch.batchId, rowRunsBefore: 2 },
    ]);
  });

  it('waits for the jobs a child adds to its batch (ctx.batch.add) before the callbacks run', async () => {
    world.adds.set(1, [10, 11]);
    await performBatch(
      [1, 2].map((row) => defs.importRow.with({ row })),
      callbacks(),
    );
    await jobs.performEnqueued();
    expect([...world.rowRuns.keys()].sort((a, b) => a - b)).toEqual([1, 2, 10, 11]);
    expect(world.callbackRuns.map((c) => [c.kind, c.rowRunsBefore]).sort()).toEqual([
      ['notify', 4],
      ['summarize', 4],
    ]);
    expect(jobs.performed(defs.importRow).map((job) => job.payload)).toEqual([
      { row: 1 },
      { row: 2 },
      { row: 10 },
      { row: 11 },
    ]);
  });

  it('captures the callbacks at enqueue for a batch with no child', async () => {
    // No child will ever count: the batch ends at enqueue, and its callbacks are sent (captured) then.
    const batch = await performBatch([], { onFinish: defs.summarize.with({ importId: 'empty' }) });
    expect(batch.batch).toMatchObject({ total: 0, pending: 0 });
    expect(jobs.enqueued(defs.summarize)).toHaveLength(1);
    await jobs.performEnqueued();
    expect(world.callbackRuns.map((c) => c.kind)).toEqual(['summarize']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { type JobDefinition, setDefaultEnqueuer } from 'wharf-jobs';
import type { JobStore } from 'wharf-jobs/adapters';
import { type BatchWorld, batchJobs, newBatchWorld } from '../helpers/batch-world';
import { embeddedHarness } from '../helpers/harness/embedded';
import { motoHarness } from '../helpers/harness/moto';
import { testingHarness } from '../helpers/harness/testing';
import type { HarnessEnv, HarnessOptions } from '../helpers/harness/types';

// Issue 17's batches through the whole engine: on the embedded engine, and on moto (SQS + DynamoDB, the Lambda
// handler fed from messages received from moto's queue). README "Batches".
describe.each([embeddedHarness, motoHarness, testingHarness])('batches on the $name', (harness) => {
  let env: HarnessEnv | undefined;
  let world: BatchWorld;
  let counts: { jobId: string; kind: string }[];
  const setup = async (options: HarnessOptions = {}) => {
    world = newBatchWorld();
    counts = [];
    const jobs = batchJobs(world);
    const watching = (store: JobStore): JobStore => ({
      ...store,
      countBatchChild: async (input) => {
        const result = await store.countBatchChild(input);
        counts.push({ jobId: input.jobId, kind: result.kind });
        return result;
      },
    });
    env = await harness.setup(Object.values(jobs) as JobDefinition[], {
      visibilityTimeoutSeconds: 1,
      ...options,
      wrapStore: (store) => (options.wrapStore ? options.wrapStore(watching(store)) : watching(store)),
    });
    world.store = env.store;
    // ctx.batch.add goes through the running job's client, as performLater does inside a job.
    setDefaultEnqueuer(env.client);
    return { e: env, jobs };
  };
  afterEach(async () => {
    setDefaultEnqueuer(undefined);
    await env?.teardown();
    env = undefined;
  });

  const callbacks = (jobs: ReturnType<typeof batchJobs>) => ({
    onSuccess: jobs.notify.with({ importId: 'imp-1' }),
    onFinish: jobs.summarize.with({ importId: 'imp-1' }),
    onDiscard: jobs.alert.with({ importId: 'imp-1' }),
  });

  it('runs onFinish once and onSuccess never for 100 children with three dead, counting a child delivered twice once', async () => {
    const { e, jobs } = await setup();
    for (const row of [7, 42, 99]) world.failing.add(row);
    const batch = await e.client.enqueueBatch!(
      Array.from({ length: 100 }, (_, row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    expect(batch.enqueued).toHaveLength(100);
    // Row 0's message again, as SQS may deliver it: the same body, a second message.
    const first = batch.enqueued[0]!;
    const now = e.clock.nowMs();
    await e.sendRaw(
      JSON.stringify({
        v: 1,
        id: first.jobId,
        job: 'import-row',
        payload: { row: 0 },
        attempt: 1,
        createdAtMs: now,
        enqueuedAtMs: now,
        batch: batch.batchId,
      }),
    );
    await e.drain({ timeoutMs: 90_000 });
    expect(world.rowRuns.get(0)).toBe(2);
    // Every child counted exactly once: a second count of row 0 would have ended the batch one child early.
    const counted = counts.filter((c) => c.kind === 'counted').map((c) => c.jobId);
    expect(new Set(counted).size).toBe(counted.length);
    expect(new Set(counted)).toEqual(new Set(batch.enqueued.map((j) => j.jobId)));
    expect(counts.filter((c) => c.jobId === first.jobId).map((c) => c.kind)).toEqual(
      expect.arrayContaining(['counted', expect.stringMatching(/^(already-counted|closed)$/)]),
    );
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['alert', 'summarize']);
    expect(world.callbackRuns.find((c) => c.kind === 'summarize')).toMatchObject({ succeeded: 97, dead: 3 });
    const record = await e.store.getBatch(batch.batchId, e.clock.nowMs());
    expect(record).toMatchObject({ total: 100, pending: 0 });
    expect(record?.counts).toEqual({ succeeded: 97, dead: 3, discarded: 0, expired: 0, cancelled: 0 });
    expect((await e.deadLetters()).map((d) => JSON.parse(d.body).payload.row).sort((a, b) => a - b)).toEqual([
      7, 42, 99,
    ]);
  }, 180_000);

  it('runs onSuccess and onFinish once when every child succeeds, and keeps the batch open for jobs a child adds', async () => {
    const { e, jobs } = await setup();
    world.adds.set(1, [10, 11]);
    const batch = await e.client.enqueueBatch!(
      [1, 2].map((row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    await e.drain({ timeoutMs: 60_000 });
    expect([...world.rowRuns.keys()].sort((a, b) => a - b)).toEqual([1, 2, 10, 11]);
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['notify', 'summarize']);
    expect(world.callbackRuns.find((c) => c.kind === 'summarize')).toMatchObject({
      succeeded: 4,
      rowRunsBefore: 4,
    });
    expect(await e.store.getBatch(batch.batchId, e.clock.nowMs())).toMatchObject({ total: 4, pending: 0 });
  }, 60_000);

  it('sends the callbacks once when the last children are counted side by side', async () => {
    // On Lambda the 10 records of an invocation run at once, so several children read the batch record after the
    // last count and see it finished: only the child whose count finished it may send (and then mark) them.
    let marks = 0;
    const { e, jobs } = await setup({
      wrapStore: (store) => ({
        ...store,
        markBatchCallbacksSent: async (batchId, nowMs) => {
          marks += 1;
          return store.markBatchCallbacksSent(batchId, nowMs);
        },
      }),
    });
    await e.client.enqueueBatch!(
      Array.from({ length: 10 }, (_, row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    await e.drain({ timeoutMs: 60_000 });
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['notify', 'summarize']);
    expect(marks).toBe(1);
  }, 60_000);

  it('still runs each callback once after a crash between the last count and the send', async () => {
    let crashes = 1;
    let markLosses = 1;
    const { e, jobs } = await setup({
      wrapStore: (store) => ({
        ...store,
        countBatchChild: async (input) => {
          const counted = await store.countBatchChild(input);
          // Durable now; the run dies before it sends the callbacks, so its message comes back.
          if (counted.kind === 'counted' && counted.batch.pending === 0 && crashes > 0) {
            crashes -= 1;
            throw new Error('crash');
          }
          return counted;
        },
        markBatchCallbacksSent: async (batchId, nowMs) => {
          // The mark is lost too once (a crash after the send): the callbacks are sent a second time. Only once:
          // a mark that always failed would bring the message back for ever, which test mode's drain reports.
          if (markLosses > 0) {
            markLosses -= 1;
            throw new Error('crash after the send');
          }
          return store.markBatchCallbacksSent(batchId, nowMs);
        },
      }),
    });
    const batch = await e.client.enqueueBatch!(
      [1, 2].map((row) => jobs.importRow.with({ row })),
      callbacks(jobs),
    );
    await e.drain({ timeoutMs: 60_000 });
    expect(crashes).toBe(0);
    expect(markLosses).toBe(0);
    expect(counts.filter((c) => c.kind === 'counted')).toHaveLength(2);
    expect(world.callbackRuns.map((c) => c.kind).sort()).toEqual(['notify', 'summarize']);
    expect((await e.store.get(`${batch.batchId}:onFinish`, e.clock.nowMs()))?.status).toBe('succeeded');
  }, 60_000);
});

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineJob, type JobEvent } from 'wharf-jobs';
import { z } from 'zod';
import { createRegistry } from '../../src/job/registry';
import type { IdempotencyMode } from '../../src/job/types';
import { createLocalEngine, createManualClock, type ManualClock } from '../../src/local/index';
import type { JobStatus, JobStore } from '../../src/store/types';
import {
  anError,
  claimedOf,
  claimInput,
  dynamoAdapter,
  failInput,
  LEASE_MS,
  memoryAdapter,
  newJobId,
  type StoreUnderTest,
  succeedInput,
  T0,
} from '../helpers/job-store';
import { createMotoWorld, type MotoWorld } from '../helpers/moto-world';

/**
 * S18 (reliability-anchors §7): clock and unit edges, with time injected (invariant 7). What wharf does:
 * - a lease is live strictly before `leaseExpiresAtMs`: a claim at `leaseExpiresAtMs - 1` is busy (told to come
 *   back at the lease's end), a claim at `leaseExpiresAtMs` takes over as the next attempt with a new fence;
 * - `expiresAtSec` is in epoch seconds (the DynamoDB TTL unit) and a record is present through the last
 *   millisecond of that second (`expiresAtSec * 1000 + 999`) and absent from the next (`(expiresAtSec + 1) * 1000`);
 * - a Lambda invocation with 0 ms left (or less than the 3 s outcome reserve plus 1 s to run) starts nothing: no
 *   claim, no run, no attempt used; the record is reported in batchItemFailures and runs as attempt 1 later.
 * Store rules on the memory store and the DynamoDB store on moto (whose claim condition is evaluated by
 * DynamoDB itself), engine rules on the embedded engine with a manual clock over both stores, the Lambda
 * deadline on moto.
 */

const types = (events: readonly JobEvent[]) =>
  events.map((e) => (e.type === 'deferred' ? `deferred:${e.why}` : e.type));

/** A second boundary: the first millisecond of a whole epoch second (T0 is one). */
const EXPIRES_AT_SEC = T0 / 1000 + 3_600;
const LAST_MS_OF_EXPIRY_SECOND = EXPIRES_AT_SEC * 1000 + 999;
const FIRST_MS_AFTER = (EXPIRES_AT_SEC + 1) * 1000;

/** Every job id a listing walks to, over all its pages (a DynamoDB scan page may hold none while more follow). */
async function listedIds(store: JobStore, status: JobStatus, nowMs: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ status, limit: 100, ...(cursor ? { cursor } : {}) }, nowMs);
    ids.push(...page.records.map((r) => r.jobId));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return ids;
}

describe.each([memoryAdapter, dynamoAdapter])(
  'S18 clock and unit edges in the JobStore ($name)',
  (adapter) => {
    let sut: StoreUnderTest;
    let store: JobStore;
    beforeAll(async () => {
      sut = await adapter.create();
      store = sut.store;
    });

    it('answers busy at leaseExpiresAtMs - 1 without touching the record, and lets a claim at leaseExpiresAtMs take over', async () => {
      const jobId = newJobId();
      const holder = claimedOf(await store.claim(claimInput(jobId)));
      expect(holder.leaseExpiresAtMs).toBe(T0 + LEASE_MS);
      const early = await store.claim(claimInput(jobId, { nowMs: holder.leaseExpiresAtMs - 1 }));
      expect(early).toEqual({ kind: 'busy', leaseExpiresAtMs: holder.leaseExpiresAtMs });
      expect(await store.get(jobId, holder.leaseExpiresAtMs - 1)).toMatchObject({
        status: 'running',
        attempt: 1,
        fence: 1,
        leaseExpiresAtMs: holder.leaseExpiresAtMs,
        startedAtMs: T0,
      });
      const onTime = await store.claim(claimInput(jobId, { nowMs: holder.leaseExpiresAtMs }));
      expect(onTime).toEqual({
        kind: 'claimed',
        attempt: 2,
        fence: 2,
        leaseExpiresAtMs: holder.leaseExpiresAtMs + LEASE_MS,
      });
      // The holder, whose lease ended a millisecond ago, can no longer write.
      const late = succeedInput(jobId, holder.fence, { nowMs: holder.leaseExpiresAtMs + 1 });
      await expect(store.succeed(late)).rejects.toMatchObject({ code: 'WHARF_LEASE_LOST' });
    });

    it('keeps a lease extended to the millisecond live until that millisecond', async () => {
      const jobId = newJobId();
      const holder = claimedOf(await store.claim(claimInput(jobId)));
      const extendedTo = holder.leaseExpiresAtMs + 12_345;
      await store.extendLease({
        jobId,
        fence: holder.fence,
        nowMs: T0 + 1_000,
        leaseExpiresAtMs: extendedTo,
      });
      expect(await store.claim(claimInput(jobId, { nowMs: extendedTo - 1 }))).toEqual({
        kind: 'busy',
        leaseExpiresAtMs: extendedTo,
      });
      expect((await store.claim(claimInput(jobId, { nowMs: extendedTo }))).kind).toBe('claimed');
    });

    it('reads a succeeded record as present through the last millisecond of its expiresAtSec, and absent from the next', async () => {
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId, { expiresAtSec: EXPIRES_AT_SEC })));
      await store.succeed(
        succeedInput(jobId, run.fence, { expiresAtSec: EXPIRES_AT_SEC, result: { ok: 1 } }),
      );
      const record = await store.get(jobId, LAST_MS_OF_EXPIRY_SECOND);
      expect(record).toMatchObject({ status: 'succeeded', expiresAtSec: EXPIRES_AT_SEC });
      expect(await listedIds(store, 'succeeded', LAST_MS_OF_EXPIRY_SECOND)).toContain(jobId);
      // Present: a duplicate in that millisecond is told the job is done.
      const duplicate = await store.claim(claimInput(jobId, { nowMs: LAST_MS_OF_EXPIRY_SECOND }));
      expect(duplicate).toMatchObject({ kind: 'completed', record: { result: { ok: 1 } } });

      expect(await store.get(jobId, FIRST_MS_AFTER)).toBeUndefined();
      expect(await listedIds(store, 'succeeded', FIRST_MS_AFTER)).not.toContain(jobId);
      // Absent: the job starts over as new, with the fence still counting.
      expect(await store.claim(claimInput(jobId, { nowMs: FIRST_MS_AFTER }))).toEqual({
        kind: 'claimed',
        attempt: 1,
        fence: 2,
        leaseExpiresAtMs: FIRST_MS_AFTER + LEASE_MS,
      });
      expect(await store.get(jobId, FIRST_MS_AFTER)).toMatchObject({ createdAtMs: FIRST_MS_AFTER });
    });

    it('lets a due retry claim a retrying record with its history in the last millisecond, and starts over from the next', async () => {
      // The retry's claim is the one DynamoDB judges in its condition expression (expiresAtSec >= now in seconds).
      async function retryingJob(): Promise<string> {
        const jobId = newJobId();
        const run = claimedOf(await store.claim(claimInput(jobId, { expiresAtSec: EXPIRES_AT_SEC })));
        await store.fail(
          failInput(jobId, run.fence, 'retrying', { expiresAtSec: EXPIRES_AT_SEC, nextAttempt: 2 }),
        );
        return jobId;
      }
      const inTime = await retryingJob();
      expect(await listedIds(store, 'retrying', LAST_MS_OF_EXPIRY_SECOND)).toContain(inTime);
      expect(
        await store.claim(claimInput(inTime, { attempt: 2, nowMs: LAST_MS_OF_EXPIRY_SECOND })),
      ).toMatchObject({
        kind: 'claimed',
        attempt: 2,
        fence: 2,
      });
      expect(await store.get(inTime, LAST_MS_OF_EXPIRY_SECOND)).toMatchObject({
        status: 'running',
        attempt: 2,
        createdAtMs: failInput(inTime, 1, 'retrying').createdAtMs,
        lastError: anError,
      });

      const tooLate = await retryingJob();
      expect(await listedIds(store, 'retrying', FIRST_MS_AFTER)).not.toContain(tooLate);
      expect(await store.claim(claimInput(tooLate, { attempt: 2, nowMs: FIRST_MS_AFTER }))).toMatchObject({
        kind: 'claimed',
        attempt: 2,
        fence: 2,
      });
      const fresh = await store.get(tooLate, FIRST_MS_AFTER);
      expect(fresh).toMatchObject({ status: 'running', createdAtMs: FIRST_MS_AFTER });
      expect(fresh?.lastError).toBeUndefined();
      expect(fresh?.failures).toBeUndefined();
    });
  },
);

describe.each([memoryAdapter, dynamoAdapter])(
  'S18 clock and unit edges in the embedded engine on the $name store',
  (adapter) => {
    const START = Date.UTC(2026, 10, 25, 12);
    let clock: ManualClock;
    let runs: number[];
    let events: JobEvent[];
    let store: JobStore;
    let item: StoreUnderTest['item'];

    beforeEach(async () => {
      clock = createManualClock(START);
      runs = [];
      events = [];
      ({ store, item } = await adapter.create());
    });

    const job = defineJob({
      name: 'edge',
      schema: z.object({}),
      idempotency: 'exactly-once',
      timeout: '30s',
      perform: (_p, ctx) => void runs.push(ctx.attempt),
    });
    const engineWith = (recordRetention: '7d' | '1h' = '7d') =>
      createLocalEngine({
        registry: createRegistry([job]),
        clock,
        store,
        random: () => 0,
        onEvent: (e) => events.push(e),
        engine: { leaseMargin: '10s', recordRetention },
      });

    it('puts off a copy delivered at leaseExpiresAtMs - 1 without running it, and runs one delivered at leaseExpiresAtMs as attempt 2', async () => {
      const engine = engineWith();
      // A worker claimed the job and died: only its lease (30 s timeout + 10 s margin) is left.
      const crashed = claimedOf(
        await store.claim({
          jobId: 'j-lease',
          jobName: 'edge',
          queue: 'default',
          attempt: 1,
          nowMs: START,
          leaseMs: 40_000,
          isRedrive: false,
          expiresAtSec: Math.ceil((START + 7 * 86_400_000) / 1000),
        }),
      );
      clock.advanceTo(crashed.leaseExpiresAtMs - 1);
      await engine.client.enqueue(job.with({}, { jobId: 'j-lease' }));
      expect(await engine.tick()).toBe(1);
      expect(types(events)).toEqual(['deferred:busy']);
      expect(runs).toEqual([]);
      // The put-off copy comes back a second after the lease's end; a second copy arrives on the millisecond.
      expect(events[0]).toMatchObject({ delayMs: 1_001 });
      await engine.client.enqueue(job.with({}, { jobId: 'j-lease' }));
      clock.advance(1);
      expect(await engine.tick()).toBe(1);
      expect(runs).toEqual([2]);
      expect(events.find((e) => e.type === 'started')).toMatchObject({
        atMs: crashed.leaseExpiresAtMs,
        attempt: 2,
      });
      clock.advanceTo(engine.transport.nextVisibleAtMs()!);
      expect(await engine.tick()).toBe(1);
      expect(types(events)).toEqual(['deferred:busy', 'started', 'succeeded', 'duplicate']);
      expect(await store.get('j-lease', clock.nowMs())).toMatchObject({
        status: 'succeeded',
        attempt: 2,
        fence: 2,
      });
    });

    it('writes expiresAtSec in epoch seconds, rounded up, and takes a copy in the last millisecond of it for a duplicate and one after it for a new job', async () => {
      const engine = engineWith('1h');
      clock.advance(250); // not on a second boundary: the retention must be rounded up to a whole second
      const runAt = clock.nowMs();
      await engine.client.enqueue(job.with({}, { jobId: 'j-expiry' }));
      await engine.tick();
      const expiresAtSec = Math.ceil((runAt + 3_600_000) / 1000);
      const record = await store.get('j-expiry', clock.nowMs());
      expect(record).toMatchObject({ status: 'succeeded', expiresAtSec });
      // Seconds, as DynamoDB TTL reads them: a millisecond value would be some 50 000 years out and never expire.
      expect(record!.expiresAtSec).toBeLessThan(10_000_000_000);
      if (item) expect((await item('j-expiry'))?.expiresAtSec).toEqual({ N: String(expiresAtSec) });

      clock.advanceTo(expiresAtSec * 1000 + 999);
      await engine.client.enqueue(job.with({}, { jobId: 'j-expiry' }));
      await engine.tick();
      expect(runs).toEqual([1]);
      clock.advance(1);
      await engine.client.enqueue(job.with({}, { jobId: 'j-expiry' }));
      await engine.tick();
      expect(runs).toEqual([1, 1]);
      expect(types(events)).toEqual(['started', 'succeeded', 'duplicate', 'started', 'succeeded']);
      expect(await store.get('j-expiry', clock.nowMs())).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        createdAtMs: (expiresAtSec + 1) * 1000,
        fence: 2,
      });
    });
  },
);

describe('S18 a Lambda invocation with no time left, on moto', () => {
  let world: MotoWorld | undefined;
  let runs: number[];
  const clock = createManualClock(Date.UTC(2026, 10, 25, 12));
  afterEach(() => {
    world?.teardown();
    world = undefined;
  });

  async function setup(idempotency: IdempotencyMode) {
    runs = [];
    const job = defineJob({
      name: 'late',
      schema: z.object({}),
      idempotency,
      timeout: '30s',
      perform: (_p, ctx) => void runs.push(ctx.attempt),
    });
    // The engine's clock stands still: the deadline is exactly now + what the context reports.
    world = await createMotoWorld([job], { clock, visibilityTimeoutSeconds: 1 });
    const { jobId } = await world.client.enqueue(job.with({}));
    return { w: world, jobId };
  }

  it.each<IdempotencyMode>(['tracked', 'exactly-once'])(
    'starts nothing in a %s job when getRemainingTimeInMillis() is 0: no claim, no run, no attempt; it runs as attempt 1 later',
    async (idempotency) => {
      const { w, jobId } = await setup(idempotency);
      const first = await w.deliver({ remainingTimeMs: 0 });
      expect(first.records).toHaveLength(1);
      expect(first.response?.batchItemFailures).toEqual([{ itemIdentifier: first.records[0]!.messageId }]);
      expect(first.deleted).toBe(0);
      expect(runs).toEqual([]);
      expect(w.events).toEqual([
        expect.objectContaining({ type: 'released', why: 'too close to the invocation deadline to start' }),
      ]);
      expect(await w.store.get(jobId, clock.nowMs())).toBeUndefined();
      await w.drain();
      expect(runs).toEqual([1]);
      expect(w.events.filter((e) => e.type === 'started').map((e) => e.attempt)).toEqual([1]);
      expect(await w.store.get(jobId, clock.nowMs())).toMatchObject({ status: 'succeeded', attempt: 1 });
    },
  );

  it('starts a job with 4000 ms left (3 s kept for the outcome, 1 s to run) and not with 3999 ms', async () => {
    const { w, jobId } = await setup('exactly-once');
    const short = await w.deliver({ remainingTimeMs: 3_999 });
    expect(short.response?.batchItemFailures).toHaveLength(1);
    expect(runs).toEqual([]);
    expect(await w.store.get(jobId, clock.nowMs())).toBeUndefined();
    let enough = await w.deliver({ remainingTimeMs: 4_000 });
    // The released message comes back after its 1 s visibility timeout.
    for (let i = 0; enough.records.length === 0 && i < 10; i++)
      enough = await w.deliver({ remainingTimeMs: 4_000 });
    expect(enough.response).toEqual({ batchItemFailures: [] });
    expect(runs).toEqual([1]);
    expect(await w.store.get(jobId, clock.nowMs())).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      fence: 1,
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { FLOW_ITEM } from '../../src/store/dynamodb/flow-item';
import { type Item, STORAGE_ATTRIBUTES } from '../../src/store/dynamodb/job-item';
import { itemSizeBytes } from '../../src/store/dynamodb/write-units';
import {
  claimedOf,
  claimInput,
  dynamoAdapter,
  failInput,
  LEASE_MS,
  requestsOf,
  type StoreUnderTest,
  succeedInput,
  T0,
  writeUnitsOf,
} from '../helpers/job-store';

let sequence = 0;
const userId = () => `user-${++sequence}-${Math.random().toString(36).slice(2, 10)}`;

/** The example app's send-welcome-email job: its id is the user id, its payload and result are small. */
const welcome = (jobId: string) => ({ jobName: 'send-welcome-email', payload: { userId: jobId } });
const sentTo = { sentTo: 'ada.lovelace@example.com' };

describe('JobStore (dynamodb) write units', () => {
  let sut: StoreUnderTest;
  const indexed = async (jobId: string) =>
    (await sut.item!(jobId))?.[STORAGE_ATTRIBUTES.statusShard]?.S?.split('#')[0];
  beforeAll(async () => {
    sut = await dynamoAdapter.create();
  });

  it('runs a small job exactly once for 2 write units: 1 for the claim, 1 for the success', async () => {
    const jobId = userId();
    let fence = 0;
    const claim = () => sut.store.claim(claimInput(jobId, welcome(jobId)));
    expect(await writeUnitsOf(sut, jobId, async () => (fence = claimedOf(await claim()).fence))).toBe(1);
    const success = succeedInput(jobId, fence, { ...welcome(jobId), result: sentTo });
    expect(await writeUnitsOf(sut, jobId, () => sut.store.succeed(success))).toBe(1);
    const item = await sut.item!(jobId);
    // The payload stays on the record from the claim on: with it, the item is still well under 1 KB.
    expect(item?.payload?.S).toBe(JSON.stringify({ userId: jobId }));
    expect(itemSizeBytes(item!)).toBeLessThan(1024);
  });

  it('records a tracked job (no claim) for 1 write unit', async () => {
    const jobId = userId();
    const success = succeedInput(jobId, undefined, { ...welcome(jobId), result: sentTo });
    expect(await writeUnitsOf(sut, jobId, () => sut.store.succeed(success))).toBe(1);
    expect(await sut.store.get(jobId, T0 + 1_000)).toMatchObject({
      status: 'succeeded',
      payload: { userId: jobId },
    });
  });

  it('keeps running and succeeded records out of the status index, and failures in it', async () => {
    const jobId = userId();
    const run = claimedOf(await sut.store.claim(claimInput(jobId, welcome(jobId))));
    expect(await indexed(jobId)).toBeUndefined();
    await sut.store.fail(failInput(jobId, run.fence, 'retrying', { ...welcome(jobId), nextAttempt: 2 }));
    expect(await indexed(jobId)).toBe('retrying');
    const retry = claimedOf(
      await sut.store.claim(claimInput(jobId, { ...welcome(jobId), attempt: 2, nowMs: T0 + 5_000 })),
    );
    expect(await indexed(jobId)).toBeUndefined();
    await sut.store.succeed(succeedInput(jobId, retry.fence, { attempt: 2, nowMs: T0 + 6_000 }));
    expect(await indexed(jobId)).toBeUndefined();
  });

  it('pays 1 index write more on the failure path: entering the index, and leaving it on the next claim', async () => {
    const jobId = userId();
    const claimed = () => sut.store.claim(claimInput(jobId, welcome(jobId)));
    let fence = claimedOf(await claimed()).fence;
    const retrying = failInput(jobId, fence, 'retrying', { ...welcome(jobId), nextAttempt: 2 });
    expect(await writeUnitsOf(sut, jobId, () => sut.store.fail(retrying))).toBe(2);
    const retry = () =>
      sut.store.claim(claimInput(jobId, { ...welcome(jobId), attempt: 2, nowMs: T0 + 5_000 }));
    expect(await writeUnitsOf(sut, jobId, async () => (fence = claimedOf(await retry()).fence))).toBe(2);
    const dead = failInput(jobId, fence, 'dead', { ...welcome(jobId), attempt: 2, nowMs: T0 + 6_000 });
    expect(await writeUnitsOf(sut, jobId, () => sut.store.fail(dead))).toBe(2);
    const redrive = () =>
      sut.store.claim(claimInput(jobId, { ...welcome(jobId), isRedrive: true, nowMs: T0 + 9_000 }));
    expect(await writeUnitsOf(sut, jobId, async () => (fence = claimedOf(await redrive()).fence))).toBe(2);
    const release = { jobId, fence, attempt: 1, nowMs: T0 + 9_500 };
    expect(await writeUnitsOf(sut, jobId, () => sut.store.release(release))).toBe(2);
  });

  it('extends a lease and records progress of a running job for 1 write unit each', async () => {
    const jobId = userId();
    const run = claimedOf(await sut.store.claim(claimInput(jobId, welcome(jobId))));
    const extend = { jobId, fence: run.fence, nowMs: T0 + 1, leaseExpiresAtMs: T0 + 99_000 };
    expect(await writeUnitsOf(sut, jobId, () => sut.store.extendLease(extend))).toBe(1);
    expect(await writeUnitsOf(sut, jobId, () => sut.store.progress(jobId, { done: 1 }, T0 + 2))).toBe(1);
  });
});

/**
 * What flow control costs on DynamoDB, per operation: the requests the adapter makes (the cost contract the
 * README states per limited job) and the write units they are billed. Flow items are far below 1 KB and carry
 * no index key, so each of their writes is 1 write unit, a failed condition included; that is asserted on the
 * items themselves. A deferral note writes a job record, whose units writeUnitsOf works out.
 */
describe('JobStore (dynamodb) flow control costs', () => {
  let sut: StoreUnderTest;
  let sequence = 0;
  const newKey = () => `sync-account/acct-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;
  // As the engine names holders: envelope id, attempt, a random suffix.
  const holder = (n: number) => `0f8fad5b-d9cb-469f-a165-70867728950e-${n}#1#k3x9a2b1`;
  const slot = (key: string, n: number, nowMs = T0) => ({
    key,
    holder: holder(n),
    limit: 2,
    nowMs,
    leaseExpiresAtMs: nowMs + LEASE_MS,
  });
  const costOf = (action: () => Promise<unknown>) => requestsOf(sut.counter!, action);
  /** A flow item's writes cost 1 unit each: small, and in no index. */
  const expectOneUnitPerWrite = async (key: Item) => {
    const item = await sut.itemAt!(key);
    expect(item).toBeDefined();
    expect(itemSizeBytes(item!)).toBeLessThan(1024);
    expect(item![STORAGE_ATTRIBUTES.statusShard]).toBeUndefined();
  };
  beforeAll(async () => {
    sut = await dynamoAdapter.create();
  });

  it('acquires a slot with 1 write, or 2 on a key with no item yet (the map is created), and releases with 1', async () => {
    const key = newKey();
    expect(await costOf(() => sut.store.acquireSlot(slot(key, 1)))).toEqual({ writes: 2, reads: 0 });
    expect(await costOf(() => sut.store.acquireSlot(slot(key, 2)))).toEqual({ writes: 1, reads: 0 });
    expect(await costOf(() => sut.store.releaseSlot({ key, holder: holder(1), nowMs: T0 + 1 }))).toEqual({
      writes: 1,
      reads: 0,
    });
    // The key's item stays (an empty map) until its TTL: the next holder pays 1 write again.
    expect(await costOf(() => sut.store.acquireSlot(slot(key, 3, T0 + 2)))).toEqual({ writes: 1, reads: 0 });
    await expectOneUnitPerWrite(FLOW_ITEM.slot(key));
  });

  it('answers a full key with 1 write (its failed condition) and no read, and takes a crashed slot with 2', async () => {
    const key = newKey();
    for (const n of [1, 2]) await sut.store.acquireSlot(slot(key, n));
    expect(await costOf(() => sut.store.acquireSlot(slot(key, 3, T0 + 1)))).toEqual({ writes: 1, reads: 0 });
    const afterLease = T0 + LEASE_MS;
    expect(await costOf(() => sut.store.acquireSlot(slot(key, 3, afterLease)))).toEqual({
      writes: 2,
      reads: 0,
    });
    await expectOneUnitPerWrite(FLOW_ITEM.slot(key));
  });

  it('keeps a slot item small and expiring: holders with lease ends, and a TTL a day past the latest', async () => {
    const key = newKey();
    await sut.store.acquireSlot(slot(key, 1));
    const item = await sut.itemAt!(FLOW_ITEM.slot(key));
    expect(item?.holders?.M).toEqual({ [holder(1)]: { N: String(T0 + LEASE_MS) } });
    expect(Number(item?.expiresAtSec?.N)).toBe(Math.ceil((T0 + LEASE_MS) / 1000) + 86_400);
  });

  it('takes a throttle start with 1 write while under the rate, and reserves one with 1 more when it saw the tat last (2 when another process moved it)', async () => {
    const key = newKey();
    const take = () => sut.store.takeThrottle({ key, limit: 5, periodMs: 60_000, burst: 0, nowMs: T0 });
    expect(await costOf(take)).toEqual({ writes: 1, reads: 0 });
    // This store wrote the tat, so it tries the busy write first: one write, not a failed idle write and then it.
    expect(await costOf(take)).toEqual({ writes: 1, reads: 0 });
    const item = await sut.itemAt!(FLOW_ITEM.throttle(key));
    expect(Number(item?.tat?.N)).toBe(T0 + 24_000);
    // TTL at the tat plus a period: until then the item holds reservations.
    expect(Number(item?.expiresAtSec?.N)).toBe((T0 + 24_000 + 60_000) / 1000);
    // A store that never saw the key (another process) tries the idle write first, which fails, then the busy one.
    const other = sut.another!();
    expect(
      await costOf(() => other.takeThrottle({ key, limit: 5, periodMs: 60_000, burst: 0, nowMs: T0 })),
    ).toEqual({ writes: 2, reads: 0 });
    await expectOneUnitPerWrite(FLOW_ITEM.throttle(key));
  });

  it('notes a deferral with 1 write: 2 units creating a queued record, 3 updating one, 1 refused on a running one', async () => {
    const note = (jobId: string, nowMs: number) =>
      sut.store.noteDeferral({
        jobId,
        jobName: 'send-welcome-email',
        queue: 'default',
        attempt: 1,
        createdAtMs: T0,
        nowMs,
        expiresAtSec: Math.ceil((nowMs + 7 * 86_400_000) / 1000),
        payload: { userId: jobId },
        note: { why: 'concurrency', untilMs: nowMs + 2_000, key: 'acct-1', count: 1 },
      });
    const jobId = userId();
    // Creating: the table write and the record's entry in the status index (queued is indexed).
    expect(await writeUnitsOf(sut, jobId, () => note(jobId, T0))).toBe(2);
    // Updating: updatedAtMs is the index's sort key, so its entry moves (2 index writes).
    expect(await writeUnitsOf(sut, jobId, () => note(jobId, T0 + 1_000))).toBe(3);
    const running = userId();
    claimedOf(await sut.store.claim(claimInput(running, welcome(running))));
    expect(await writeUnitsOf(sut, running, () => note(running, T0 + 1_000))).toBe(1);
  });

  it('reads every pause with 1 read, and pauses or resumes with 1 write (2 for the first pause ever)', async () => {
    const { store, counter, itemAt } = await dynamoAdapter.create();
    const queue = { kind: 'queue', name: 'emails' } as const;
    expect(await requestsOf(counter!, () => store.listPauses(T0))).toEqual({ writes: 0, reads: 1 });
    expect(await requestsOf(counter!, () => store.setPause(queue, { paused: true }, T0))).toEqual({
      writes: 2,
      reads: 0,
    });
    const job = { kind: 'job', name: 'sync-account' } as const;
    expect(await requestsOf(counter!, () => store.setPause(job, { paused: true }, T0))).toEqual({
      writes: 1,
      reads: 0,
    });
    expect(await requestsOf(counter!, () => store.setPause(job, { paused: false }, T0))).toEqual({
      writes: 1,
      reads: 0,
    });
    expect(await requestsOf(counter!, () => store.listPauses(T0))).toEqual({ writes: 0, reads: 1 });
    // Pauses never expire.
    expect((await itemAt!(FLOW_ITEM.pauses))?.expiresAtSec).toBeUndefined();
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ENQUEUE_ITEM } from '../../src/store/dynamodb/enqueue-item';
import { FLOW_ITEM } from '../../src/store/dynamodb/flow-item';
import { type Item, jobKey, STORAGE_ATTRIBUTES } from '../../src/store/dynamodb/job-item';
import { OUTBOX_ATTRIBUTES, outboxKey } from '../../src/store/dynamodb/outbox-item';
import { itemSizeBytes, totalWriteUnits, writeUnits } from '../../src/store/dynamodb/write-units';
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

/**
 * What enqueue control costs on DynamoDB, per operation: requests (what the README states per enqueue) and the
 * write units they are billed, worked out from the item before and after each write (write-units.ts; a failed
 * condition is billed by the item it failed on). Unique locks and bursts carry no index key; the job records a
 * cancel or a skip writes enter the status index (expired and cancelled are listed newest first).
 */
describe('JobStore (dynamodb) enqueue control costs', () => {
  let sut: StoreUnderTest;
  let sequence = 0;
  const newKey = () => `send-digest/doc-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;
  const day = (nowMs: number) => Math.ceil((nowMs + 86_400_000) / 1000);
  /** The requests of `action`, and the units of its writes to the item at `key`, each billed on its own. */
  async function costOf(key: Item, action: () => Promise<unknown>) {
    const before = await sut.itemAt!(key);
    const requests = await requestsOf(sut.counter!, action);
    const after = await sut.itemAt!(key);
    if (requests.writes !== 1) throw new Error(`costOf models one write, the action made ${requests.writes}`);
    return { ...requests, units: totalWriteUnits(writeUnits(before, after)) };
  }
  const push = (key: string, n: number, payload: unknown = { docId: 'd-1' }) => ({
    key,
    token: `0f8fad5b-d9cb-469f-a165-70867728950e-${n}`,
    jobId: `0f8fad5b-d9cb-469f-a165-${String(n).padStart(12, '0')}`,
    payload,
    nowMs: T0 + n,
    deadlineMs: T0 + n + 300_000,
    expiresAtSec: day(T0 + n),
  });
  beforeAll(async () => {
    sut = await dynamoAdapter.create();
  });

  it('takes a unique key for 1 write and 1 unit, answers held for the same, and releases for 1', async () => {
    const key = newKey();
    const lock = (holder: string) => ({ key, holder, nowMs: T0, lockExpiresAtMs: T0 + 86_400_000 });
    const item = ENQUEUE_ITEM.unique(key);
    const holder = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(await costOf(item, () => sut.store.acquireUnique(lock(holder)))).toEqual({
      writes: 1,
      reads: 0,
      units: 1,
    });
    expect(await costOf(item, () => sut.store.acquireUnique(lock('another-job')))).toEqual({
      writes: 1,
      reads: 0,
      units: 1,
    });
    const stored = await sut.itemAt!(item);
    expect(stored?.[STORAGE_ATTRIBUTES.statusShard]).toBeUndefined();
    // TTL an hour past the lock's end: a crash never locks a key for longer than the lock says (and TTL's delay).
    expect(Number(stored?.expiresAtSec?.N)).toBe(Math.ceil((T0 + 86_400_000) / 1000) + 3_600);
    expect(await costOf(item, () => sut.store.releaseUnique({ key, holder, nowMs: T0 + 1 }))).toEqual({
      writes: 1,
      reads: 0,
      units: 1,
    });
    expect(await sut.itemAt!(item)).toBeUndefined();
  });

  it('pushes a debounced enqueue for 1 write: 1 unit opening or joining a burst, 2 with a 1 KB payload', async () => {
    const key = newKey();
    const item = ENQUEUE_ITEM.debounce(key);
    expect(await costOf(item, () => sut.store.pushDebounce(push(key, 1)))).toEqual({
      writes: 1,
      reads: 0,
      units: 1,
    });
    expect(await costOf(item, () => sut.store.pushDebounce(push(key, 2)))).toEqual({
      writes: 1,
      reads: 0,
      units: 1,
    });
    const kilobyte = { docId: 'd-1', text: 'x'.repeat(1_024) };
    expect(await costOf(item, () => sut.store.pushDebounce(push(key, 3, kilobyte)))).toEqual({
      writes: 1,
      reads: 0,
      units: 2,
    });
    const stored = await sut.itemAt!(item);
    expect(stored?.payload?.S).toBe(JSON.stringify(kilobyte));
    expect(stored?.[STORAGE_ATTRIBUTES.statusShard]).toBeUndefined();
    expect(Number(stored?.expiresAtSec?.N)).toBe(day(T0 + 3));
  });

  it('takes a burst for 1 write: 1 unit to run, wait or be superseded with a small payload, 2 with a 1 KB one', async () => {
    const key = newKey();
    const item = ENQUEUE_ITEM.debounce(key);
    const [first, latest] = [push(key, 1), push(key, 2)];
    await sut.store.pushDebounce(first);
    await sut.store.pushDebounce(latest);
    const take = (enqueue: typeof first, nowMs: number) => () =>
      sut.store.takeDebounce({
        key,
        token: enqueue.token,
        jobId: first.jobId,
        waitMs: 30_000,
        nowMs,
      });
    expect(await costOf(item, take(first, T0 + 30_001))).toEqual({ writes: 1, reads: 0, units: 1 });
    expect(await costOf(item, take(latest, T0 + 30_002))).toEqual({ writes: 1, reads: 0, units: 1 });
    expect(await costOf(item, take(first, T0 + 40_000))).toEqual({ writes: 1, reads: 0, units: 1 });
    const big = newKey();
    const bigPush = push(big, 1, { docId: 'd-1', text: 'x'.repeat(1_024) });
    await sut.store.pushDebounce(bigPush);
    const run = () =>
      sut.store.takeDebounce({
        key: big,
        token: bigPush.token,
        jobId: bigPush.jobId,
        waitMs: 30_000,
        nowMs: T0 + 30_001,
      });
    expect(await costOf(ENQUEUE_ITEM.debounce(big), run)).toEqual({ writes: 1, reads: 0, units: 2 });
  });

  it('cancels a job not claimed yet for 1 write and 2 units, a queued one for 3, a running one for 2 writes and 2 units', async () => {
    const absent = userId();
    const cancel = (jobId: string) => () =>
      sut.store.requestCancel({ jobId, nowMs: T0 + 2_000, expiresAtSec: day(T0 + 2_000) });
    // Creating the record: the table write and its entry in the status index (cancelled is indexed).
    expect(await costOf(jobKey(absent), cancel(absent))).toEqual({ writes: 1, reads: 0, units: 2 });
    // A queued record: its index entry moves from queued to cancelled (2 index writes).
    const queued = userId();
    const run = claimedOf(await sut.store.claim(claimInput(queued, welcome(queued))));
    await sut.store.release({ jobId: queued, fence: run.fence, attempt: 1, nowMs: T0 + 500 });
    expect(await costOf(jobKey(queued), cancel(queued))).toEqual({ writes: 1, reads: 0, units: 3 });
    // A running record: the cancel's write fails its condition (1 unit), and the mark is a second (1 unit).
    const running = userId();
    claimedOf(await sut.store.claim(claimInput(running, welcome(running))));
    const before = await sut.item!(running);
    expect(await requestsOf(sut.counter!, cancel(running))).toEqual({ writes: 2, reads: 0 });
    const marked = await sut.item!(running);
    expect(totalWriteUnits(writeUnits(before, before)) + totalWriteUnits(writeUnits(before, marked))).toBe(2);
    // A finished one: one write whose condition fails.
    expect(await costOf(jobKey(absent), cancel(absent))).toEqual({ writes: 1, reads: 0, units: 1 });
  });

  it('records a skip for 1 write: 2 units creating the expired record, 3 moving a queued one', async () => {
    const skip = (jobId: string) => () =>
      sut.store.recordSkipped({
        jobId,
        jobName: 'send-welcome-email',
        queue: 'default',
        status: 'expired',
        reason: 'expired 12s after it was due',
        createdAtMs: T0,
        nowMs: T0 + 12_000,
        expiresAtSec: day(T0 + 12_000),
        payload: { userId: jobId },
      });
    const absent = userId();
    expect(await costOf(jobKey(absent), skip(absent))).toEqual({ writes: 1, reads: 0, units: 2 });
    const queued = userId();
    const run = claimedOf(await sut.store.claim(claimInput(queued, welcome(queued))));
    await sut.store.release({ jobId: queued, fence: run.fence, attempt: 1, nowMs: T0 + 500 });
    expect(await costOf(jobKey(queued), skip(queued))).toEqual({ writes: 1, reads: 0, units: 3 });
  });

  it('extends a lease and learns of a cancel with the same 1 write and 1 unit', async () => {
    const jobId = userId();
    const run = claimedOf(await sut.store.claim(claimInput(jobId, welcome(jobId))));
    const beat = (nowMs: number) => () =>
      sut.store.extendLease({ jobId, fence: run.fence, nowMs, leaseExpiresAtMs: nowMs + LEASE_MS });
    expect(await costOf(jobKey(jobId), beat(T0 + 1_000))).toEqual({ writes: 1, reads: 0, units: 1 });
    await sut.store.requestCancel({ jobId, nowMs: T0 + 2_000, expiresAtSec: day(T0 + 2_000) });
    expect(await costOf(jobKey(jobId), beat(T0 + 3_000))).toEqual({ writes: 1, reads: 0, units: 1 });
    expect(await beat(T0 + 4_000)()).toEqual({ cancelRequested: true });
  });

  it('checks an outbox entry with 1 strongly consistent read, and clears it with 1 write', async () => {
    const jobId = userId();
    const key = { [OUTBOX_ATTRIBUTES.key]: { S: outboxKey(jobId) } };
    await sut.putItem!({ ...key, [OUTBOX_ATTRIBUTES.jobId]: { S: jobId }, body: { S: '{}' } });
    expect(await requestsOf(sut.counter!, () => sut.store.outboxPending(jobId))).toEqual({
      writes: 0,
      reads: 1,
    });
    expect(await costOf(key, () => sut.store.clearOutbox(jobId))).toEqual({ writes: 1, reads: 0, units: 1 });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { STORAGE_ATTRIBUTES } from '../../src/store/dynamodb/job-item';
import { itemSizeBytes } from '../../src/store/dynamodb/write-units';
import {
  claimedOf,
  claimInput,
  dynamoAdapter,
  failInput,
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

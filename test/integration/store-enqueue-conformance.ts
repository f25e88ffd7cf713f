import { beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_ATTRIBUTES, outboxKey } from '../../src/store/dynamodb/outbox-item';
import { UNKNOWN_JOB_NAME } from '../../src/store/record-change';
import type { JobStore, SkipInput, UniqueInput } from '../../src/store/types';
import {
  anError,
  claimedOf,
  claimInput,
  expiresAtSecFrom,
  failInput,
  LEASE_MS,
  newJobId,
  type StoreAdapter,
  type StoreUnderTest,
  succeedInput,
  T0,
} from '../helpers/job-store';
import { describeDebounce, push } from './store-debounce-conformance';

// Enqueue control's store operations (README "Unique jobs", "Debounce", "Expiry", "Cancel", "Enqueue after
// commit"), run inside the store conformance suite on both adapters: the memory store and the DynamoDB store on
// moto. Debounced bursts have their own file (store-debounce-conformance.ts).

let sequence = 0;
const newKey = (what: string) =>
  `send-digest/${what}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

const MINUTE = 60_000;

const lock = (key: string, holder: string, overrides: Partial<UniqueInput> = {}): UniqueInput => ({
  key,
  holder,
  nowMs: T0,
  lockExpiresAtMs: T0 + 10 * MINUTE,
  ...overrides,
});

const skip = (jobId: string, overrides: Partial<SkipInput> = {}): SkipInput => {
  const nowMs = overrides.nowMs ?? T0 + 5_000;
  return {
    jobId,
    jobName: 'sendWelcomeEmail',
    queue: 'default',
    status: 'expired',
    reason: 'expired 5s after it was due',
    createdAtMs: T0 - 5_000,
    nowMs,
    expiresAtSec: expiresAtSecFrom(nowMs),
    payload: { userId: 'u-1' },
    ...overrides,
  };
};

const cancelAt = (jobId: string, nowMs = T0 + 2_000) => ({
  jobId,
  nowMs,
  expiresAtSec: expiresAtSecFrom(nowMs),
});

export function describeEnqueueControl(adapter: StoreAdapter, storeOf: () => JobStore): void {
  describe('unique keys', () => {
    it('takes a free key, and answers held with the holder and its lock end to another job', async () => {
      const store = storeOf();
      const key = newKey('unique');
      expect(await store.acquireUnique(lock(key, 'job-a'))).toEqual({ kind: 'acquired' });
      expect(await store.acquireUnique(lock(key, 'job-b', { nowMs: T0 + 1_000 }))).toEqual({
        kind: 'held',
        holder: 'job-a',
        lockExpiresAtMs: T0 + 10 * MINUTE,
      });
    });

    it('gives the key again to its holder (a retried enqueue), with the new lock end', async () => {
      const store = storeOf();
      const key = newKey('unique');
      await store.acquireUnique(lock(key, 'job-a'));
      const again = lock(key, 'job-a', { nowMs: T0 + 1_000, lockExpiresAtMs: T0 + 20 * MINUTE });
      expect(await store.acquireUnique(again)).toEqual({ kind: 'acquired' });
      expect(await store.acquireUnique(lock(key, 'job-b', { nowMs: T0 + 2_000 }))).toEqual({
        kind: 'held',
        holder: 'job-a',
        lockExpiresAtMs: T0 + 20 * MINUTE,
      });
    });

    it('holds the key until the millisecond its lock expires, and frees it from then on', async () => {
      const store = storeOf();
      const key = newKey('unique');
      const end = T0 + 10 * MINUTE;
      await store.acquireUnique(lock(key, 'job-a'));
      expect((await store.acquireUnique(lock(key, 'job-b', { nowMs: end - 1 }))).kind).toBe('held');
      const after = { nowMs: end, lockExpiresAtMs: end + 10 * MINUTE };
      expect(await store.acquireUnique(lock(key, 'job-b', after))).toEqual({ kind: 'acquired' });
      expect(await store.acquireUnique(lock(key, 'job-a', { nowMs: end + 1 }))).toEqual({
        kind: 'held',
        holder: 'job-b',
        lockExpiresAtMs: end + 10 * MINUTE,
      });
    });

    it("frees the key on its holder's release, and leaves it held on a release by anyone else", async () => {
      const store = storeOf();
      const key = newKey('unique');
      await store.acquireUnique(lock(key, 'job-a'));
      await expect(store.releaseUnique({ key, holder: 'job-b', nowMs: T0 + 1 })).resolves.toBeUndefined();
      expect(await store.acquireUnique(lock(key, 'job-c', { nowMs: T0 + 2 }))).toMatchObject({
        kind: 'held',
        holder: 'job-a',
      });
      await store.releaseUnique({ key, holder: 'job-a', nowMs: T0 + 3 });
      expect(await store.acquireUnique(lock(key, 'job-c', { nowMs: T0 + 4 }))).toEqual({ kind: 'acquired' });
      // A release of a key nobody holds, or that was never taken, is no error.
      await expect(
        store.releaseUnique({ key: newKey('never'), holder: 'x', nowMs: T0 }),
      ).resolves.toBeUndefined();
    });

    it("leaves a newer holder's lock alone when the lapsed holder releases late", async () => {
      const store = storeOf();
      const key = newKey('unique');
      await store.acquireUnique(lock(key, 'job-a', { lockExpiresAtMs: T0 + 1_000 }));
      await store.acquireUnique(lock(key, 'job-b', { nowMs: T0 + 1_000, lockExpiresAtMs: T0 + MINUTE }));
      await store.releaseUnique({ key, holder: 'job-a', nowMs: T0 + 2_000 });
      expect(await store.acquireUnique(lock(key, 'job-c', { nowMs: T0 + 3_000 }))).toMatchObject({
        kind: 'held',
        holder: 'job-b',
      });
    });

    it('gives a contended key to exactly one of several concurrent enqueues, and names it to the others', async () => {
      const store = storeOf();
      const key = newKey('unique');
      const holders = ['job-a', 'job-b', 'job-c', 'job-d', 'job-e'];
      const results = await Promise.all(holders.map((holder) => store.acquireUnique(lock(key, holder))));
      const winners = holders.filter((_, i) => results[i]!.kind === 'acquired');
      expect(winners).toHaveLength(1);
      for (const result of results.filter((r) => r.kind === 'held'))
        expect(result).toEqual({ kind: 'held', holder: winners[0], lockExpiresAtMs: T0 + 10 * MINUTE });
    });

    it('keeps two keys apart', async () => {
      const store = storeOf();
      const [one, two] = [newKey('unique'), newKey('unique')];
      expect((await store.acquireUnique(lock(one, 'job-a'))).kind).toBe('acquired');
      expect((await store.acquireUnique(lock(two, 'job-b'))).kind).toBe('acquired');
    });
  });

  describeDebounce(adapter, storeOf);

  describe('skips (expired, or cancelled at a start)', () => {
    it('creates the record of a job that expired before any run, and lists it as expired', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const input = skip(jobId);
      expect(await store.recordSkipped(input)).toBe('recorded');
      expect(await store.get(jobId, input.nowMs)).toEqual({
        jobId,
        jobName: 'sendWelcomeEmail',
        queue: 'default',
        status: 'expired',
        attempt: 0,
        nextAttempt: 1,
        fence: 0,
        createdAtMs: T0 - 5_000,
        updatedAtMs: input.nowMs,
        finishedAtMs: input.nowMs,
        skippedReason: 'expired 5s after it was due',
        expiresAtSec: input.expiresAtSec,
        payload: { userId: 'u-1' },
      });
      const expired = await store.list({ status: 'expired', limit: 100 }, input.nowMs);
      expect(expired.records.map((r) => r.jobId)).toContain(jobId);
      // A later message of it (a duplicate delivery) is dropped, not run.
      expect(await store.claim(claimInput(jobId, { nowMs: input.nowMs + 1 }))).toMatchObject({
        kind: 'superseded',
        record: { status: 'expired' },
      });
    });

    it('moves a queued or retrying record to expired, keeping its history and filling in a missing payload', async () => {
      const store = storeOf();
      const released = newJobId();
      const run = claimedOf(await store.claim(claimInput(released)));
      await store.release({ jobId: released, fence: run.fence, attempt: 1, nowMs: T0 + 500 });
      const retrying = newJobId();
      const failed = claimedOf(await store.claim(claimInput(retrying)));
      await store.fail(failInput(retrying, failed.fence, 'retrying', { nextAttempt: 2 }));
      for (const jobId of [released, retrying]) {
        const before = await store.get(jobId, T0 + 2_000);
        expect(await store.recordSkipped(skip(jobId))).toBe('recorded');
        const after = await store.get(jobId, T0 + 5_000);
        expect(after).toEqual({
          ...before,
          status: 'expired',
          skippedReason: 'expired 5s after it was due',
          updatedAtMs: T0 + 5_000,
          finishedAtMs: T0 + 5_000,
          payload: { userId: 'u-1' },
        });
      }
      expect((await store.get(retrying, T0 + 5_000))?.lastError).toEqual(anError);
    });

    it('leaves a running or finished record as it was, answering started', async () => {
      const store = storeOf();
      const running = newJobId();
      claimedOf(await store.claim(claimInput(running)));
      const succeeded = newJobId();
      await store.succeed(succeedInput(succeeded, claimedOf(await store.claim(claimInput(succeeded))).fence));
      const expired = newJobId();
      await store.recordSkipped(skip(expired));
      for (const jobId of [running, succeeded, expired]) {
        const before = await store.get(jobId, T0 + 5_000);
        expect(await store.recordSkipped(skip(jobId, { status: 'cancelled', nowMs: T0 + 6_000 }))).toBe(
          'started',
        );
        expect(await store.get(jobId, T0 + 6_000)).toEqual(before);
      }
    });

    it('fills in the job name and queue of a cancellation written before any run knew them, once', async () => {
      const store = storeOf();
      const jobId = newJobId();
      await store.requestCancel(cancelAt(jobId));
      expect(await store.get(jobId, T0 + 2_000)).toMatchObject({ jobName: UNKNOWN_JOB_NAME });
      const honoured = skip(jobId, { status: 'cancelled', reason: 'cancelled before it started' });
      expect(await store.recordSkipped(honoured)).toBe('recorded');
      const named = await store.get(jobId, honoured.nowMs);
      expect(named).toMatchObject({
        jobName: 'sendWelcomeEmail',
        queue: 'default',
        status: 'cancelled',
        cancelRequestedAtMs: T0 + 2_000,
        finishedAtMs: honoured.nowMs,
        // What the cancellation created stays: it is when the job's record began.
        createdAtMs: T0 + 2_000,
      });
      // Named now, it is finished like any other: a second skip changes nothing.
      expect(await store.recordSkipped({ ...honoured, jobName: 'other', nowMs: honoured.nowMs + 1 })).toBe(
        'started',
      );
      expect(await store.get(jobId, honoured.nowMs + 1)).toEqual(named);
    });

    it('replaces a record past its retention with a fresh expired one, carrying on its fence', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const expiresAtSec = T0 / 1000 + 60;
      const run = claimedOf(await store.claim(claimInput(jobId, { expiresAtSec })));
      await store.fail(failInput(jobId, run.fence, 'dead', { expiresAtSec }));
      const later = (expiresAtSec + 1) * 1000;
      expect(await store.recordSkipped(skip(jobId, { nowMs: later }))).toBe('recorded');
      const record = await store.get(jobId, later);
      expect(record).toMatchObject({ status: 'expired', attempt: 0, fence: 1, createdAtMs: T0 - 5_000 });
      expect(record?.lastError).toBeUndefined();
    });
  });

  describe('cancel', () => {
    it('writes a cancellation for a job not claimed yet, which its claim honours and listings show', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const input = cancelAt(jobId);
      const result = await store.requestCancel(input);
      const record = {
        jobId,
        jobName: UNKNOWN_JOB_NAME,
        queue: UNKNOWN_JOB_NAME,
        status: 'cancelled',
        attempt: 0,
        nextAttempt: 1,
        fence: 0,
        createdAtMs: input.nowMs,
        updatedAtMs: input.nowMs,
        finishedAtMs: input.nowMs,
        cancelRequestedAtMs: input.nowMs,
        skippedReason: 'cancelled before it started',
        expiresAtSec: input.expiresAtSec,
      };
      expect(result).toEqual({ kind: 'cancelled', record });
      expect(await store.get(jobId, input.nowMs)).toEqual(record);
      // Whatever job and payload its message carries: the cancellation knew neither.
      expect(await store.claim(claimInput(jobId, { nowMs: T0 + 3_000, payloadHash: 'sha256:a' }))).toEqual({
        kind: 'cancelled',
        record,
      });
      expect(await store.get(jobId, T0 + 3_000)).toEqual(record);
      const listed = await store.list({ status: 'cancelled', limit: 100 }, T0 + 3_000);
      expect(listed.records.map((r) => r.jobId)).toContain(jobId);
    });

    it('cancels a queued or retrying job, which its claim then honours', async () => {
      const store = storeOf();
      const noted = newJobId();
      await store.noteDeferral({
        jobId: noted,
        jobName: 'sendWelcomeEmail',
        queue: 'default',
        attempt: 1,
        createdAtMs: T0 - 5_000,
        nowMs: T0,
        expiresAtSec: expiresAtSecFrom(T0),
        note: { why: 'concurrency', untilMs: T0 + 4_000, count: 1 },
      });
      const retrying = newJobId();
      const run = claimedOf(await store.claim(claimInput(retrying)));
      await store.fail(failInput(retrying, run.fence, 'retrying', { nextAttempt: 2 }));
      for (const [jobId, attempt] of [
        [noted, 1],
        [retrying, 2],
      ] as const) {
        const before = await store.get(jobId, T0 + 2_000);
        const result = await store.requestCancel(cancelAt(jobId));
        const { deferred: _deferred, ...kept } = before!;
        const cancelled = {
          ...kept,
          status: 'cancelled',
          cancelRequestedAtMs: T0 + 2_000,
          skippedReason: 'cancelled before it started',
          updatedAtMs: T0 + 2_000,
          finishedAtMs: T0 + 2_000,
        };
        expect(result).toEqual({ kind: 'cancelled', record: cancelled });
        const claim = claimInput(jobId, { attempt, nowMs: T0 + 9_000 });
        expect(await store.claim(claim)).toEqual({ kind: 'cancelled', record: cancelled });
      }
    });

    it('marks a running job, which its heartbeat learns; after its lease lapses, no retry of it runs', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      const beat = (nowMs: number) =>
        store.extendLease({ jobId, fence: run.fence, nowMs, leaseExpiresAtMs: nowMs + LEASE_MS });
      expect(await beat(T0 + 1_000)).toEqual({ cancelRequested: false });
      const before = await store.get(jobId, T0 + 2_000);
      const result = await store.requestCancel(cancelAt(jobId));
      const marked = { ...before, cancelRequestedAtMs: T0 + 2_000 };
      expect(result).toEqual({ kind: 'running', record: marked });
      expect(await store.get(jobId, T0 + 2_000)).toEqual(marked);
      expect(await beat(T0 + 3_000)).toEqual({ cancelRequested: true });
      // While its lease lives it is busy as ever; once it lapses (the run crashed), the takeover is refused.
      expect(await store.claim(claimInput(jobId, { nowMs: T0 + 4_000 }))).toEqual({
        kind: 'busy',
        leaseExpiresAtMs: T0 + 3_000 + LEASE_MS,
      });
      const lapsed = T0 + 3_000 + LEASE_MS;
      const refused = await store.claim(claimInput(jobId, { attempt: 2, nowMs: lapsed }));
      expect(refused).toMatchObject({ kind: 'cancelled', record: { status: 'running', fence: run.fence } });
      expect(await store.get(jobId, lapsed)).toMatchObject({ status: 'running', fence: run.fence });
    });

    it('answers cancelled to the retry of a run cancel marked that failed since (its record says retrying)', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.requestCancel(cancelAt(jobId));
      // The run failed after the mark (on Lambda nothing told it) and its retry was sent as attempt 2.
      await store.fail(failInput(jobId, run.fence, 'retrying', { nowMs: T0 + 3_000, nextAttempt: 2 }));
      expect(await store.get(jobId, T0 + 3_000)).toMatchObject({
        status: 'retrying',
        cancelRequestedAtMs: T0 + 2_000,
      });
      const retry = await store.claim(claimInput(jobId, { attempt: 2, nowMs: T0 + 5_000 }));
      expect(retry).toMatchObject({ kind: 'cancelled', record: { status: 'retrying' } });
      expect(await store.get(jobId, T0 + 5_000)).toMatchObject({ status: 'retrying', fence: run.fence });
    });

    it('lets a marked run record that it stopped as cancelled', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.requestCancel(cancelAt(jobId));
      await store.fail(failInput(jobId, run.fence, 'cancelled', { nowMs: T0 + 3_000 }));
      expect(await store.get(jobId, T0 + 3_000)).toMatchObject({
        status: 'cancelled',
        cancelRequestedAtMs: T0 + 2_000,
        finishedAtMs: T0 + 3_000,
      });
      const listed = await store.list({ status: 'cancelled', limit: 100 }, T0 + 3_000);
      expect(listed.records.map((r) => r.jobId)).toContain(jobId);
      expect(await store.requestCancel(cancelAt(jobId, T0 + 4_000))).toMatchObject({ kind: 'finished' });
    });

    it('leaves a job that had ended as it was: succeeded, dead, expired or already cancelled', async () => {
      const store = storeOf();
      const succeeded = newJobId();
      await store.succeed(succeedInput(succeeded, claimedOf(await store.claim(claimInput(succeeded))).fence));
      const dead = newJobId();
      await store.fail(failInput(dead, claimedOf(await store.claim(claimInput(dead))).fence, 'dead'));
      const expired = newJobId();
      await store.recordSkipped(skip(expired));
      const cancelled = newJobId();
      await store.requestCancel(cancelAt(cancelled, T0));
      for (const jobId of [succeeded, dead, expired, cancelled]) {
        const before = await store.get(jobId, T0 + 6_000);
        expect(await store.requestCancel(cancelAt(jobId, T0 + 6_000))).toEqual({
          kind: 'finished',
          record: before,
        });
        expect(await store.get(jobId, T0 + 6_000)).toEqual(before);
      }
    });

    it('cancels over a record past its retention, carrying on its fence', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const expiresAtSec = T0 / 1000 + 60;
      const run = claimedOf(await store.claim(claimInput(jobId, { expiresAtSec })));
      await store.succeed(succeedInput(jobId, run.fence, { expiresAtSec, result: { sentTo: 'ada' } }));
      const later = (expiresAtSec + 1) * 1000;
      const result = await store.requestCancel(cancelAt(jobId, later));
      expect(result).toMatchObject({ kind: 'cancelled', record: { status: 'cancelled', fence: 1 } });
      expect(await store.get(jobId, later)).toEqual(result.record);
      expect(result.record?.result).toBeUndefined();
    });

    it('lets exactly one of a cancel and a claim racing for a waiting job win', async () => {
      const store = storeOf();
      const jobIds = Array.from({ length: 6 }, newJobId);
      // Half of them ask to cancel first: which request a store takes first follows the order of the calls.
      const races = await Promise.all(
        jobIds.map(async (jobId, i) => {
          const claim = () => store.claim(claimInput(jobId));
          const cancel = () => store.requestCancel(cancelAt(jobId, T0));
          if (i % 2 === 0) return Promise.all([claim(), cancel()]);
          const [cancelled, claimed] = await Promise.all([cancel(), claim()]);
          return [claimed, cancelled] as const;
        }),
      );
      for (const [i, [claim, cancel]] of races.entries()) {
        const record = await store.get(jobIds[i]!, T0);
        // The claim first: the run is marked. The cancel first: the claim is refused and nothing runs.
        if (claim.kind === 'claimed') expect([cancel.kind, record?.status]).toEqual(['running', 'running']);
        else
          expect([claim.kind, cancel.kind, record?.status]).toEqual(['cancelled', 'cancelled', 'cancelled']);
      }
    });
  });
}

/** The outbox and the items enqueue control keeps, on a store of their own. */
export function describeEnqueueItems(adapter: StoreAdapter): void {
  let sut: StoreUnderTest;
  beforeAll(async () => {
    sut = await adapter.create();
  });

  it('says whether an outbox entry is still to send, and clears it; clearing a missing one is no error', async () => {
    const jobId = newJobId();
    expect(await sut.store.outboxPending(jobId)).toBe(false);
    await expect(sut.store.clearOutbox(jobId)).resolves.toBeUndefined();
    // A memory store never holds an outbox entry: the embedded engine keeps its outbox apart (local-outbox.ts).
    if (!sut.putItem) return;
    const a = OUTBOX_ATTRIBUTES;
    // As the user's own transaction puts it (TransactWriteItems with the client's entries).
    await sut.putItem({
      [a.key]: { S: outboxKey(jobId) },
      [a.jobId]: { S: jobId },
      [a.address]: { S: 'default' },
      [a.body]: {
        S: JSON.stringify({ v: 1, id: jobId, job: 'sendWelcomeEmail', payload: { userId: 'u-1' } }),
      },
      [a.runAtMs]: { N: String(T0) },
      [a.expiresAtSec]: { N: String(T0 / 1000 + 14 * 86_400) },
    });
    expect(await sut.store.outboxPending(jobId)).toBe(true);
    expect(await sut.store.outboxPending(newJobId())).toBe(false);
    await sut.store.clearOutbox(jobId);
    expect(await sut.store.outboxPending(jobId)).toBe(false);
    expect(await sut.itemAt!({ [a.key]: { S: outboxKey(jobId) } })).toBeUndefined();
  });

  it('never lists or returns unique keys, bursts or outbox entries as jobs', async () => {
    const { store, putItem } = await adapter.create();
    const key = 'send-digest/acct-1';
    await store.acquireUnique(lock(key, 'job-a'));
    await store.pushDebounce(push(key, 1));
    await putItem?.({
      [OUTBOX_ATTRIBUTES.key]: { S: outboxKey('job-o') },
      [OUTBOX_ATTRIBUTES.jobId]: { S: 'job-o' },
    });
    const [cancelled, expired] = [newJobId(), newJobId()];
    await store.requestCancel(cancelAt(cancelled));
    await store.recordSkipped(skip(expired));
    const nowMs = T0 + 5_000;
    const everything = await store.list({ limit: 100 }, nowMs);
    expect(everything.records.map((r) => r.jobId).sort()).toEqual([cancelled, expired].sort());
    for (const status of ['queued', 'running', 'succeeded', 'expired', 'cancelled'] as const) {
      const page = await store.list({ status, limit: 100 }, nowMs);
      expect(page.records.map((r) => r.jobId)).toEqual(
        status === 'expired' ? [expired] : status === 'cancelled' ? [cancelled] : [],
      );
    }
    for (const id of [
      key,
      `unique#${key}`,
      `debounce#${key}`,
      'job-o',
      outboxKey('job-o'),
      `burst-job-${key}-1`,
    ])
      expect(await store.get(id, nowMs)).toBeUndefined();
  });
}

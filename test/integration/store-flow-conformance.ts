import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { takeStart } from '../../src/store/flow-decision';
import type {
  JobStore,
  NoteDeferralInput,
  PauseRecord,
  SlotInput,
  ThrottleInput,
  ThrottleResult,
} from '../../src/store/types';
import {
  claimedOf,
  claimInput,
  expiresAtSecFrom,
  failInput,
  LEASE_MS,
  newJobId,
  type StoreAdapter,
  succeedInput,
  T0,
} from '../helpers/job-store';

// Flow control's store operations (README "Flow control"), run inside the store conformance suite on both
// adapters: the memory store and the DynamoDB store on moto.

let sequence = 0;
const newKey = (what: string) => `${what}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

const slot = (key: string, holder: string, overrides: Partial<SlotInput> = {}): SlotInput => ({
  key,
  holder,
  limit: 2,
  nowMs: T0,
  leaseExpiresAtMs: T0 + LEASE_MS,
  ...overrides,
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** When each take starts: now, or at its reservation. */
const startOf = (result: ThrottleResult, nowMs: number) => (result.kind === 'now' ? nowMs : result.atMs);

/** Takes a start for each request time in turn, as the engine asks: one take per delivery, in time order. */
async function takeAll(store: JobStore, base: Omit<ThrottleInput, 'nowMs'>, times: readonly number[]) {
  const starts: number[] = [];
  for (const nowMs of times) {
    const result = await store.takeThrottle({ ...base, nowMs });
    if (result.kind === 'reserved') expect(result.atMs).toBeGreaterThan(nowMs);
    starts.push(startOf(result, nowMs));
  }
  return starts;
}

/** The most starts in any half-open window [t, t + periodMs). Starts come sorted. */
function mostInAnyWindow(starts: readonly number[], periodMs: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < starts.length; last++) {
    while (starts[last]! - starts[first]! >= periodMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** The pure rule's starts for the same requests (takeStart), to hold an adapter to. */
function referenceStarts(base: Omit<ThrottleInput, 'nowMs'>, times: readonly number[]): number[] {
  let tatMs: number | undefined;
  return times.map((nowMs) => {
    const taken = takeStart(tatMs, { ...base, nowMs });
    tatMs = taken.tatMs;
    return startOf(taken.result, nowMs);
  });
}

/** Request times over an hour, in bursts (several deliveries at one instant) at random times. */
const anHourOfRequests = fc
  .array(fc.record({ at: fc.integer({ min: 0, max: HOUR - 1 }), count: fc.integer({ min: 1, max: 6 }) }), {
    minLength: 1,
    maxLength: 40,
  })
  .map((bursts) =>
    bursts.flatMap(({ at, count }) => Array<number>(count).fill(T0 + at)).sort((a, b) => a - b),
  );

/** Pauses in a fixed order: a store lists them in any. */
const sorted = (pauses: readonly PauseRecord[]) =>
  [...pauses].sort((a, b) => `${a.kind}:${a.name}`.localeCompare(`${b.kind}:${b.name}`));

const deferral = (jobId: string, overrides: Partial<NoteDeferralInput> = {}): NoteDeferralInput => {
  const nowMs = overrides.nowMs ?? T0 + 2_000;
  return {
    jobId,
    jobName: 'sendWelcomeEmail',
    queue: 'default',
    attempt: 1,
    createdAtMs: T0 - 5_000,
    nowMs,
    expiresAtSec: expiresAtSecFrom(nowMs),
    payload: { userId: 'u-1' },
    note: { why: 'concurrency', untilMs: nowMs + 4_000, key: 'acct-1', count: 1 },
    ...overrides,
  };
};

export function describeFlowControl(adapter: StoreAdapter, storeOf: () => JobStore): void {
  const runs = adapter.name === 'memory' ? 100 : 6;

  describe('concurrency slots', () => {
    it('gives slots up to the limit, then answers full with the live holders and the earliest lease end', async () => {
      const store = storeOf();
      const key = newKey('slots');
      expect(await store.acquireSlot(slot(key, 'a', { leaseExpiresAtMs: T0 + 40_000 }))).toEqual({
        kind: 'acquired',
      });
      expect(await store.acquireSlot(slot(key, 'b', { leaseExpiresAtMs: T0 + 35_000 }))).toEqual({
        kind: 'acquired',
      });
      expect(await store.acquireSlot(slot(key, 'c', { nowMs: T0 + 1_000 }))).toEqual({
        kind: 'full',
        holders: 2,
        earliestLeaseEndMs: T0 + 35_000,
      });
    });

    it('keeps one slot for a holder that acquires twice (a retried request)', async () => {
      const store = storeOf();
      const key = newKey('slots');
      for (let i = 0; i < 3; i++) expect((await store.acquireSlot(slot(key, 'a'))).kind).toBe('acquired');
      expect((await store.acquireSlot(slot(key, 'b'))).kind).toBe('acquired');
      expect((await store.acquireSlot(slot(key, 'c'))).kind).toBe('full');
    });

    it('frees a slot on release, and takes a release of an unknown holder or key as done', async () => {
      const store = storeOf();
      const key = newKey('slots');
      await store.acquireSlot(slot(key, 'a'));
      await store.acquireSlot(slot(key, 'b'));
      await store.releaseSlot({ key, holder: 'a', nowMs: T0 + 500 });
      await expect(store.releaseSlot({ key, holder: 'nobody', nowMs: T0 + 500 })).resolves.toBeUndefined();
      await expect(
        store.releaseSlot({ key: newKey('never-used'), holder: 'a', nowMs: T0 }),
      ).resolves.toBeUndefined();
      expect((await store.acquireSlot(slot(key, 'c', { nowMs: T0 + 600 }))).kind).toBe('acquired');
      expect((await store.acquireSlot(slot(key, 'd', { nowMs: T0 + 600 }))).kind).toBe('full');
      // Every holder gone: the key is as good as new.
      for (const holder of ['b', 'c']) await store.releaseSlot({ key, holder, nowMs: T0 + 700 });
      for (const holder of ['e', 'f'])
        expect((await store.acquireSlot(slot(key, holder, { nowMs: T0 + 800 }))).kind).toBe('acquired');
    });

    it("frees a crashed holder's slot from its lease end on, and its late release frees nobody else's", async () => {
      const store = storeOf();
      const key = newKey('slots');
      await store.acquireSlot(slot(key, 'crashed', { limit: 1 }));
      const end = T0 + LEASE_MS;
      expect(await store.acquireSlot(slot(key, 'b', { limit: 1, nowMs: end - 1 }))).toEqual({
        kind: 'full',
        holders: 1,
        earliestLeaseEndMs: end,
      });
      const after = { limit: 1, nowMs: end, leaseExpiresAtMs: end + LEASE_MS };
      expect((await store.acquireSlot(slot(key, 'b', after))).kind).toBe('acquired');
      await store.releaseSlot({ key, holder: 'crashed', nowMs: end + 1 });
      expect((await store.acquireSlot(slot(key, 'c', { ...after, nowMs: end + 2 }))).kind).toBe('full');
    });

    it('lets exactly one of several concurrent acquires take the last slot', async () => {
      const store = storeOf();
      const key = newKey('slots');
      await store.acquireSlot(slot(key, 'first'));
      const contenders = ['a', 'b', 'c', 'd', 'e'];
      const results = await Promise.all(contenders.map((holder) => store.acquireSlot(slot(key, holder))));
      expect(results.filter((r) => r.kind === 'acquired')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'full')).toEqual(
        Array(4).fill({ kind: 'full', holders: 2, earliestLeaseEndMs: T0 + LEASE_MS }),
      );
    });

    it("lets exactly one of several concurrent acquires take a crashed holder's slot", async () => {
      const store = storeOf();
      const key = newKey('slots');
      await store.acquireSlot(slot(key, 'crashed', { limit: 1 }));
      const later = { limit: 1, nowMs: T0 + LEASE_MS, leaseExpiresAtMs: T0 + 2 * LEASE_MS };
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((holder) => store.acquireSlot(slot(key, holder, later))),
      );
      expect(results.map((r) => r.kind).sort()).toEqual(['acquired', 'full', 'full', 'full']);
      expect(results.find((r) => r.kind === 'full')).toEqual({
        kind: 'full',
        holders: 1,
        earliestLeaseEndMs: T0 + 2 * LEASE_MS,
      });
    });

    it('keeps the limits of two keys apart', async () => {
      const store = storeOf();
      const [one, two] = [newKey('slots'), newKey('slots')];
      expect((await store.acquireSlot(slot(one, 'a', { limit: 1 }))).kind).toBe('acquired');
      expect((await store.acquireSlot(slot(two, 'a', { limit: 1 }))).kind).toBe('acquired');
      expect((await store.acquireSlot(slot(two, 'b', { limit: 1 }))).kind).toBe('full');
    });
  });

  describe('throttles', () => {
    const fivePerMinute = { limit: 5, periodMs: MINUTE, burst: 0 };

    it('never starts a sixth of 5 a minute within any 60 s, over an hour of requests at random times', async () => {
      const store = storeOf();
      await fc.assert(
        fc.asyncProperty(anHourOfRequests, async (times) => {
          const base = { key: newKey('throttle'), ...fivePerMinute };
          const starts = await takeAll(store, base, times);
          // Every request got a start, in the order it asked, and no window holds more than the limit.
          expect(starts).toEqual([...starts].sort((a, b) => a - b));
          expect(mostInAnyWindow(starts, MINUTE)).toBeLessThanOrEqual(5);
          expect(starts).toEqual(referenceStarts(base, times));
        }),
        { numRuns: runs },
      );
    });

    it('holds any limit, period and burst to limit + burst starts a period, exactly as the rule does', async () => {
      const store = storeOf();
      const rates = fc.record({
        limit: fc.integer({ min: 1, max: 9 }),
        periodMs: fc.constantFrom(1_000, 7_000, MINUTE),
        burst: fc.integer({ min: 0, max: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(rates, anHourOfRequests, async (rate, hour) => {
          // Squeezed into a few periods, so that most requests are put off.
          const times = hour.map((t) => T0 + Math.floor(((t - T0) / HOUR) * 4 * rate.periodMs));
          const base = { key: newKey('throttle'), ...rate };
          const starts = await takeAll(store, base, times);
          expect(starts).toEqual([...starts].sort((a, b) => a - b));
          expect(mostInAnyWindow(starts, rate.periodMs)).toBeLessThanOrEqual(rate.limit + rate.burst);
          // Fractional intervals (7 s / 9) too: DynamoDB's decimals and the memory store's floats agree.
          expect(starts).toEqual(referenceStarts(base, times));
        }),
        { numRuns: runs },
      );
    });

    it('reserves the starts of requests over the rate one interval apart, in the order they asked', async () => {
      const store = storeOf();
      const base = { key: newKey('throttle'), ...fivePerMinute };
      const starts = await takeAll(store, base, Array(7).fill(T0));
      expect(starts).toEqual([0, 12, 24, 36, 48, 60, 72].map((s) => T0 + s * 1_000));
      // A request after the reservations lines up behind them, not in front.
      expect(await store.takeThrottle({ ...base, nowMs: T0 + 1_000 })).toEqual({
        kind: 'reserved',
        atMs: T0 + 84_000,
      });
    });

    it('lets `burst` more through at once after a quiet time, then spaces them again', async () => {
      const store = storeOf();
      const base = { key: newKey('throttle'), limit: 5, periodMs: MINUTE, burst: 2 };
      const burst = async (nowMs: number) => takeAll(store, base, Array(4).fill(nowMs));
      expect(await burst(T0)).toEqual([T0, T0, T0, T0 + 12_000]);
      const quiet = T0 + 10 * MINUTE;
      expect(await burst(quiet)).toEqual([quiet, quiet, quiet, quiet + 12_000]);
    });

    it('spaces starts by a fractional interval (7 a minute) without drifting from it', async () => {
      const store = storeOf();
      const base = { key: newKey('throttle'), limit: 7, periodMs: MINUTE, burst: 0 };
      const starts = await takeAll(store, base, Array(15).fill(T0));
      starts.forEach((start, k) => {
        const exact = T0 + (k * MINUTE) / 7;
        expect(start).toBeGreaterThanOrEqual(Math.ceil(exact));
        expect(start).toBeLessThanOrEqual(Math.ceil(exact) + 1);
      });
      expect(starts[7]).toBeGreaterThanOrEqual(T0 + MINUTE);
      expect(starts[14]).toBeGreaterThanOrEqual(T0 + 2 * MINUTE);
    });

    it('keeps the throttles of two keys apart', async () => {
      const store = storeOf();
      const one = { key: newKey('throttle'), limit: 1, periodMs: MINUTE, burst: 0 };
      const two = { ...one, key: newKey('throttle') };
      expect(await store.takeThrottle({ ...one, nowMs: T0 })).toEqual({ kind: 'now' });
      expect(await store.takeThrottle({ ...two, nowMs: T0 })).toEqual({ kind: 'now' });
      expect(await store.takeThrottle({ ...one, nowMs: T0 })).toEqual({
        kind: 'reserved',
        atMs: T0 + MINUTE,
      });
    });
  });

  describe('deferral notes', () => {
    it('creates a queued record that a claim of that attempt takes, and the claim clears the note', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const input = deferral(jobId);
      await store.noteDeferral(input);
      expect(await store.get(jobId, input.nowMs)).toEqual({
        jobId,
        jobName: 'sendWelcomeEmail',
        queue: 'default',
        status: 'queued',
        attempt: 0,
        nextAttempt: 1,
        fence: 0,
        createdAtMs: T0 - 5_000,
        updatedAtMs: input.nowMs,
        expiresAtSec: input.expiresAtSec,
        payload: { userId: 'u-1' },
        deferred: input.note,
      });
      // Listed with the other queued jobs (on DynamoDB: it entered the status index).
      const queued = await store.list({ status: 'queued', limit: 100 }, input.nowMs);
      expect(queued.records.map((r) => r.jobId)).toContain(jobId);

      const claim = claimInput(jobId, { nowMs: T0 + 6_000 });
      expect(await store.claim(claim)).toMatchObject({ kind: 'claimed', attempt: 1, fence: 1 });
      const record = await store.get(jobId, claim.nowMs);
      expect(record).toMatchObject({ status: 'running', attempt: 1, createdAtMs: T0 - 5_000 });
      expect(record?.deferred).toBeUndefined();
    });

    it('changes only the note and updatedAtMs of a queued or retrying record', async () => {
      const store = storeOf();
      const payload = { userId: 'u-1' };
      const released = newJobId();
      const run = claimedOf(await store.claim(claimInput(released, { payload })));
      await store.release({ jobId: released, fence: run.fence, attempt: 1, nowMs: T0 + 500 });
      const retrying = newJobId();
      const failed = claimedOf(await store.claim(claimInput(retrying, { payload })));
      await store.fail(failInput(retrying, failed.fence, 'retrying', { nextAttempt: 2, payload }));
      for (const jobId of [released, retrying]) {
        const before = await store.get(jobId, T0 + 2_000);
        const note = { why: 'throttle', untilMs: T0 + 9_000, count: 3 } as const;
        const input = deferral(jobId, { attempt: 2, payload, note });
        await store.noteDeferral(input);
        expect(await store.get(jobId, input.nowMs)).toEqual({
          ...before,
          deferred: note,
          updatedAtMs: input.nowMs,
        });
      }
    });

    it('fills in the payload of a waiting record that has none (the note is one upsert)', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const run = claimedOf(await store.claim(claimInput(jobId)));
      await store.release({ jobId, fence: run.fence, attempt: 1, nowMs: T0 + 500 });
      const before = await store.get(jobId, T0 + 2_000);
      const input = deferral(jobId);
      await store.noteDeferral(input);
      expect(await store.get(jobId, input.nowMs)).toEqual({
        ...before,
        payload: input.payload,
        deferred: input.note,
        updatedAtMs: input.nowMs,
      });
    });

    it('leaves a running or a succeeded record as it was', async () => {
      const store = storeOf();
      const running = newJobId();
      claimedOf(await store.claim(claimInput(running)));
      const succeeded = newJobId();
      await store.succeed(succeedInput(succeeded, claimedOf(await store.claim(claimInput(succeeded))).fence));
      for (const jobId of [running, succeeded]) {
        const before = await store.get(jobId, T0 + 2_000);
        await expect(store.noteDeferral(deferral(jobId))).resolves.toBeUndefined();
        expect(await store.get(jobId, T0 + 2_000)).toEqual(before);
      }
    });

    it('is cleared by the outcome a tracked job records, and by a failure', async () => {
      const store = storeOf();
      const [tracked, failing] = [newJobId(), newJobId()];
      for (const jobId of [tracked, failing]) await store.noteDeferral(deferral(jobId));
      await store.succeed(succeedInput(tracked, undefined, { nowMs: T0 + 9_000 }));
      await store.fail(failInput(failing, undefined, 'retrying', { nowMs: T0 + 9_000 }));
      expect(await store.get(tracked, T0 + 9_000)).toMatchObject({ status: 'succeeded' });
      expect(await store.get(failing, T0 + 9_000)).toMatchObject({ status: 'retrying' });
      expect((await store.get(tracked, T0 + 9_000))?.deferred).toBeUndefined();
      expect((await store.get(failing, T0 + 9_000))?.deferred).toBeUndefined();
    });

    it('replaces a record past its retention with a fresh queued one, carrying on its fence', async () => {
      const store = storeOf();
      const jobId = newJobId();
      const expiresAtSec = T0 / 1000 + 60;
      const run = claimedOf(await store.claim(claimInput(jobId, { expiresAtSec })));
      await store.fail(failInput(jobId, run.fence, 'dead', { expiresAtSec }));
      const later = (expiresAtSec + 1) * 1000;
      const input = deferral(jobId, { nowMs: later });
      await store.noteDeferral(input);
      const record = await store.get(jobId, later);
      expect(record).toMatchObject({ status: 'queued', nextAttempt: 1, fence: 1, deferred: input.note });
      expect(record?.lastError).toBeUndefined();
      expect(await store.claim(claimInput(jobId, { nowMs: later + 1 }))).toMatchObject({
        kind: 'claimed',
        fence: 2,
      });
    });
  });

  describe('pauses', () => {
    const queue = { kind: 'queue', name: newKey('emails') } as const;
    const job = { kind: 'job', name: newKey('sync-account') } as const;

    it('pauses and resumes queues and job types, and lists what is paused', async () => {
      const store = storeOf();
      const before = await store.listPauses(T0);
      await store.setPause(queue, { paused: true, reason: 'SMTP provider down' }, T0);
      await store.setPause(job, { paused: true }, T0 + 1);
      // A queue and a job type of one name are two pauses.
      await store.setPause({ kind: 'job', name: queue.name }, { paused: true }, T0 + 2);
      const listed = await store.listPauses(T0 + 3);
      expect(listed).toEqual(
        expect.arrayContaining([
          { ...queue, sinceMs: T0, reason: 'SMTP provider down' },
          { ...job, sinceMs: T0 + 1 },
          { kind: 'job', name: queue.name, sinceMs: T0 + 2 },
        ]),
      );
      expect(listed).toHaveLength(before.length + 3);
      await store.setPause(queue, { paused: false }, T0 + 4);
      await store.setPause({ kind: 'job', name: queue.name }, { paused: false }, T0 + 4);
      expect(sorted(await store.listPauses(T0 + 5))).toEqual(
        sorted([...before, { ...job, sinceMs: T0 + 1 }]),
      );
      await store.setPause(job, { paused: false }, T0 + 6);
      expect(sorted(await store.listPauses(T0 + 7))).toEqual(sorted(before));
    });

    it('keeps the first pause when paused again, and takes resuming what is not paused as done', async () => {
      const store = storeOf();
      const target = { kind: 'queue', name: newKey('reports') } as const;
      await store.setPause(target, { paused: true, reason: 'first' }, T0);
      await store.setPause(target, { paused: true, reason: 'second' }, T0 + 60_000);
      const mine = async () => (await store.listPauses(T0)).filter((p) => p.name === target.name);
      expect(await mine()).toEqual([{ ...target, sinceMs: T0, reason: 'first' }]);
      await store.setPause(target, { paused: false }, T0 + 1);
      await expect(store.setPause(target, { paused: false }, T0 + 2)).resolves.toBeUndefined();
      expect(await mine()).toEqual([]);
    });
  });
}

/** A store of its own, used for everything flow control keeps, must still list only its jobs. */
export function describeFlowItemsHidden(adapter: StoreAdapter): void {
  it('never lists or returns flow control state as jobs', async () => {
    const { store } = await adapter.create();
    const [noted, claimed] = [newJobId(), newJobId()];
    await store.acquireSlot(slot('sync-account/acct-1', 'h-1'));
    await store.takeThrottle({ key: 'sync-account/acct-1', limit: 1, periodMs: MINUTE, burst: 0, nowMs: T0 });
    await store.takeThrottle({ key: 'sync-account/acct-1', limit: 1, periodMs: MINUTE, burst: 0, nowMs: T0 });
    await store.setPause({ kind: 'queue', name: 'default' }, { paused: true }, T0);
    await store.noteDeferral(deferral(noted));
    claimedOf(await store.claim(claimInput(claimed)));
    const nowMs = T0 + 2_000;
    const everything = await store.list({ limit: 100 }, nowMs);
    expect(everything.records.map((r) => r.jobId).sort()).toEqual([noted, claimed].sort());
    for (const status of ['queued', 'running', 'retrying', 'succeeded', 'dead', 'discarded'] as const) {
      const page = await store.list({ status, limit: 100 }, nowMs);
      expect(page.records.map((r) => r.jobId)).toEqual(
        status === 'queued' ? [noted] : status === 'running' ? [claimed] : [],
      );
    }
    for (const id of [
      'sync-account/acct-1',
      'pauses',
      'slot#sync-account/acct-1',
      'throttle#sync-account/acct-1',
    ])
      expect(await store.get(id, nowMs)).toBeUndefined();
  });
}

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import { DEBOUNCE_PAYLOAD_MAX_BYTES } from '../../src/store/debounce-payload';
import { OUTBOX_ATTRIBUTES, outboxKey } from '../../src/store/dynamodb/outbox-item';
import { DEBOUNCE_GRACE_MS } from '../../src/store/enqueue-control-decision';
import { UNKNOWN_JOB_NAME } from '../../src/store/record-change';
import type {
  DebounceInput,
  DebounceWindow,
  JobStore,
  SkipInput,
  TakeDebounceInput,
  TakeDebounceResult,
  UniqueInput,
} from '../../src/store/types';
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

// Enqueue control's store operations (README "Unique jobs", "Debounce", "Expiry", "Cancel", "Enqueue after
// commit"), run inside the store conformance suite on both adapters: the memory store and the DynamoDB store on
// moto.

let sequence = 0;
const newKey = (what: string) =>
  `send-digest/${what}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

const MINUTE = 60_000;
const WAIT_MS = 30_000;

const lock = (key: string, holder: string, overrides: Partial<UniqueInput> = {}): UniqueInput => ({
  key,
  holder,
  nowMs: T0,
  lockExpiresAtMs: T0 + 10 * MINUTE,
  ...overrides,
});

/** One enqueue of a debounced key: its token, and the job id a new burst would take. */
const push = (key: string, n: number, overrides: Partial<DebounceInput> = {}): DebounceInput => {
  const nowMs = overrides.nowMs ?? T0 + n * 1_000;
  return {
    key,
    token: `token-${n}`,
    jobId: `burst-job-${key}-${n}`,
    payload: { docId: 'd-1', edit: n },
    nowMs,
    expiresAtSec: expiresAtSecFrom(nowMs),
    ...overrides,
  };
};

/** The message of an enqueue, arriving at `nowMs`: it carries the enqueue's token and its burst's job id. */
const take = (
  enqueue: DebounceInput,
  window: DebounceWindow,
  nowMs: number,
  waitMs = WAIT_MS,
): TakeDebounceInput => ({ key: enqueue.key, token: enqueue.token, jobId: window.jobId, waitMs, nowMs });

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

  describe('debounced bursts', () => {
    /** Pushes the enqueues in turn; returns each with the window it got. */
    async function burst(store: JobStore, enqueues: readonly DebounceInput[]) {
      const windows: DebounceWindow[] = [];
      for (const enqueue of enqueues) windows.push(await store.pushDebounce(enqueue));
      return windows;
    }

    it('folds a burst of enqueues into the first one: its job id, time and deadline, counting each', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const deadlineMs = T0 + 5 * MINUTE;
      const enqueues = [1, 2, 3].map((n) => push(key, n, { deadlineMs: T0 + n * 1_000 + 5 * MINUTE }));
      enqueues[0] = { ...enqueues[0]!, deadlineMs };
      expect(await burst(store, enqueues)).toEqual(
        [1, 2, 3].map((count) => ({ jobId: enqueues[0]!.jobId, firstAtMs: T0 + 1_000, deadlineMs, count })),
      );
    });

    it('runs the burst, as its first job id, with the latest payload, when the latest message arrives', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const enqueues = [1, 2, 3].map((n) => push(key, n));
      const windows = await burst(store, enqueues);
      const due = T0 + 3_000 + WAIT_MS;
      expect(await store.takeDebounce(take(enqueues[2]!, windows[2]!, due))).toEqual({
        kind: 'run',
        jobId: enqueues[0]!.jobId,
        payload: { docId: 'd-1', edit: 3 },
        count: 3,
      });
      // The earlier messages find their burst gone, however late they come.
      for (const [i, nowMs] of [
        [0, due + 1],
        [1, due + DEBOUNCE_GRACE_MS + MINUTE],
      ] as const)
        expect(await store.takeDebounce(take(enqueues[i]!, windows[i]!, nowMs))).toEqual({
          kind: 'superseded',
        });
    });

    it('has an earlier message wait for the due time and the grace, then run the latest payload if the latest never took it', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const enqueues = [1, 2].map((n) => push(key, n));
      const windows = await burst(store, enqueues);
      const untilMs = T0 + 2_000 + WAIT_MS + DEBOUNCE_GRACE_MS;
      // Its own delay ends first: the later enqueue's message is still on its way.
      expect(await store.takeDebounce(take(enqueues[0]!, windows[0]!, T0 + 1_000 + WAIT_MS))).toEqual({
        kind: 'wait',
        untilMs,
      });
      expect(await store.takeDebounce(take(enqueues[0]!, windows[0]!, untilMs - 1))).toEqual({
        kind: 'wait',
        untilMs,
      });
      // The later message never came (its send failed after its push): the earlier one runs what it pushed.
      expect(await store.takeDebounce(take(enqueues[0]!, windows[0]!, untilMs))).toEqual({
        kind: 'run',
        jobId: enqueues[0]!.jobId,
        payload: { docId: 'd-1', edit: 2 },
        count: 2,
      });
      expect(await store.takeDebounce(take(enqueues[1]!, windows[1]!, untilMs + 1))).toEqual({
        kind: 'superseded',
      });
    });

    it('moves the due time of waiting messages with every enqueue that joins', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const first = push(key, 1);
      const window = await store.pushDebounce(first);
      const later = push(key, 20);
      await store.pushDebounce(later);
      expect(await store.takeDebounce(take(first, window, T0 + 1_000 + WAIT_MS))).toEqual({
        kind: 'wait',
        untilMs: later.nowMs + WAIT_MS + DEBOUNCE_GRACE_MS,
      });
    });

    it('runs the burst at its maxWait deadline (and the grace) however many enqueues keep joining it', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const deadlineMs = T0 + MINUTE;
      // Every 10 s up to the deadline: the quiet time never comes.
      const enqueues = Array.from({ length: 7 }, (_, i) =>
        push(key, i, { nowMs: T0 + i * 10_000, deadlineMs: T0 + i * 10_000 + MINUTE }),
      );
      const windows = await burst(store, enqueues);
      expect(windows.every((w) => w.deadlineMs === deadlineMs && w.jobId === enqueues[0]!.jobId)).toBe(true);
      const early = take(enqueues[0]!, windows[0]!, deadlineMs + DEBOUNCE_GRACE_MS - 1);
      expect(await store.takeDebounce(early)).toEqual({
        kind: 'wait',
        untilMs: deadlineMs + DEBOUNCE_GRACE_MS,
      });
      expect(await store.takeDebounce({ ...early, nowMs: deadlineMs + DEBOUNCE_GRACE_MS })).toEqual({
        kind: 'run',
        jobId: enqueues[0]!.jobId,
        payload: { docId: 'd-1', edit: 6 },
        count: 7,
      });
    });

    it('opens a new burst, with the new job id, after a run; a message of the burst that ran is superseded', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const [one, two] = [push(key, 1), push(key, 2)];
      const windows = await burst(store, [one, two]);
      expect((await store.takeDebounce(take(two, windows[1]!, T0 + 2_000 + WAIT_MS))).kind).toBe('run');
      const next = push(key, 3, { nowMs: T0 + 2_000 + WAIT_MS + 1 });
      const opened = await store.pushDebounce(next);
      expect(opened).toEqual({ jobId: next.jobId, firstAtMs: next.nowMs, count: 1 });
      // The first burst's earlier message, after its grace: its burst is not this one, so it never runs it.
      const late = take(one, windows[0]!, T0 + 2_000 + WAIT_MS + DEBOUNCE_GRACE_MS + 1);
      expect(await store.takeDebounce(late)).toEqual({ kind: 'superseded' });
      expect(await store.takeDebounce(take(next, opened, next.nowMs + WAIT_MS))).toEqual({
        kind: 'run',
        jobId: next.jobId,
        payload: { docId: 'd-1', edit: 3 },
        count: 1,
      });
    });

    it('runs the burst again for the message that took it, delivered again, and for no other', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const enqueues = [1, 2, 3].map((n) => push(key, n));
      const windows = await burst(store, enqueues);
      // The first message takes it when overdue (the later ones never came), and its worker dies before the run.
      const overdue = T0 + 3_000 + WAIT_MS + DEBOUNCE_GRACE_MS;
      const ran = {
        kind: 'run',
        jobId: enqueues[0]!.jobId,
        payload: { docId: 'd-1', edit: 3 },
        count: 3,
      } as const;
      expect(await store.takeDebounce(take(enqueues[0]!, windows[0]!, overdue))).toEqual(ran);
      // Delivered again, it runs the same burst as the same job id (whose claim keeps it to one run).
      expect(await store.takeDebounce(take(enqueues[0]!, windows[0]!, overdue + MINUTE))).toEqual(ran);
      for (const i of [1, 2])
        expect(await store.takeDebounce(take(enqueues[i]!, windows[i]!, overdue + 1))).toEqual({
          kind: 'superseded',
        });
      // A new burst ends that: it carries the newer payload, and runs as its own job.
      const next = push(key, 4, { nowMs: overdue + 2 * MINUTE });
      const opened = await store.pushDebounce(next);
      expect(opened).toEqual({ jobId: next.jobId, firstAtMs: next.nowMs, count: 1 });
      expect(await store.takeDebounce(take(enqueues[0]!, windows[0]!, next.nowMs + 1))).toEqual({
        kind: 'superseded',
      });
      expect(await store.takeDebounce(take(next, opened, next.nowMs + WAIT_MS))).toEqual({
        kind: 'run',
        jobId: next.jobId,
        payload: next.payload,
        count: 1,
      });
    });

    it('never loses an enqueue that races the take of its burst, whichever lands first', async () => {
      const store = storeOf();
      for (let i = 0; i < 6; i++) {
        const key = newKey('debounce');
        const first = push(key, 1);
        const window = await store.pushDebounce(first);
        // The second enqueue comes just as the first's message is delivered.
        const due = first.nowMs + WAIT_MS;
        const second = push(key, 2, { nowMs: due });
        const takeFirst = () => store.takeDebounce(take(first, window, due));
        const pushSecond = () => store.pushDebounce(second);
        const [taken, joined] =
          i % 2 === 0
            ? await Promise.all([takeFirst(), pushSecond()])
            : await Promise.all([pushSecond(), takeFirst()]).then(([p, t]) => [t, p] as const);
        const secondRun = await store.takeDebounce(take(second, joined, due + WAIT_MS));
        if (taken.kind === 'run') {
          // The take first: the first burst ran with its payload, and the enqueue opened a burst of its own.
          expect(taken).toMatchObject({ jobId: first.jobId, payload: first.payload, count: 1 });
          expect(joined).toEqual({ jobId: second.jobId, firstAtMs: due, count: 1 });
          expect(secondRun).toEqual({ kind: 'run', jobId: second.jobId, payload: second.payload, count: 1 });
        } else {
          // The push first: the first message waits, the second runs the burst with the newer payload.
          expect(taken).toEqual({ kind: 'wait', untilMs: due + WAIT_MS + DEBOUNCE_GRACE_MS });
          expect(joined).toEqual({ jobId: first.jobId, firstAtMs: first.nowMs, count: 2 });
          expect(secondRun).toEqual({ kind: 'run', jobId: first.jobId, payload: second.payload, count: 2 });
          const back = take(first, window, due + WAIT_MS + DEBOUNCE_GRACE_MS);
          expect(await store.takeDebounce(back)).toEqual({ kind: 'superseded' });
        }
      }
    });

    it('answers superseded to a message of a key that has no burst', async () => {
      const store = storeOf();
      const enqueue = push(newKey('debounce'), 1);
      const window = { jobId: enqueue.jobId, firstAtMs: T0, count: 1 };
      expect(await store.takeDebounce(take(enqueue, window, T0 + MINUTE))).toEqual({ kind: 'superseded' });
    });

    it('keeps a payload as JSON keeps it, and a burst without one', async () => {
      const store = storeOf();
      const payload = { docId: 'd-ü', nested: { list: [1, 'two', null, { three: true }] }, n: 1.5 };
      const key = newKey('debounce');
      const enqueue = push(key, 1, { payload });
      const window = await store.pushDebounce(enqueue);
      expect(await store.takeDebounce(take(enqueue, window, enqueue.nowMs + WAIT_MS))).toMatchObject({
        kind: 'run',
        payload,
      });
      const bare = push(newKey('debounce'), 1, { payload: undefined });
      const bareWindow = await store.pushDebounce(bare);
      const ran = await store.takeDebounce(take(bare, bareWindow, bare.nowMs + WAIT_MS));
      expect(ran).toEqual({ kind: 'run', jobId: bare.jobId, payload: undefined, count: 1 });
    });

    it('refuses a payload too big for the job table, saying so, and keeps the burst as it was', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const first = push(key, 1);
      const window = await store.pushDebounce(first);
      const huge = push(key, 2, { payload: { text: 'x'.repeat(DEBOUNCE_PAYLOAD_MAX_BYTES) } });
      await expect(store.pushDebounce(huge)).rejects.toSatisfy(
        (error: Error) =>
          hasCode(error, 'WHARF_INVALID_PAYLOAD') &&
          /send-digest/.test(error.message) &&
          error.message.includes(`at most ${DEBOUNCE_PAYLOAD_MAX_BYTES}`),
      );
      expect(await store.takeDebounce(take(first, window, first.nowMs + WAIT_MS))).toEqual({
        kind: 'run',
        jobId: first.jobId,
        payload: first.payload,
        count: 1,
      });
    });

    it('treats a burst past its TTL as closed: a new enqueue opens another, and its old messages are superseded', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const stale = push(key, 1, { expiresAtSec: T0 / 1000 + 60 });
      const staleWindow = await store.pushDebounce(stale);
      const later = T0 + 2 * MINUTE;
      expect(await store.takeDebounce(take(stale, staleWindow, later))).toEqual({ kind: 'superseded' });
      const fresh = push(key, 2, { nowMs: later });
      const window = await store.pushDebounce(fresh);
      expect(window).toEqual({ jobId: fresh.jobId, firstAtMs: later, count: 1 });
      expect(await store.takeDebounce(take(fresh, window, later + WAIT_MS))).toMatchObject({
        kind: 'run',
        jobId: fresh.jobId,
        payload: fresh.payload,
      });
    });

    it('runs each burst exactly once with its latest payload, whatever the order of enqueues, deliveries and lost sends', async () => {
      const store = storeOf();
      await fc.assert(
        fc.asyncProperty(burstScenario, async (scenario) => {
          const ran = await playScenario(store, newKey('debounce'), scenario);
          // Every burst a delivered message belongs to ran exactly once, as its latest enqueue left it.
          for (const [jobId, joined] of ran.bursts) {
            const runs = ran.runs.filter((r) => r.jobId === jobId);
            const latest = joined.reduce((a, b) => (b.count > a.count ? b : a));
            if (!joined.some((e) => e.delivered)) {
              expect(runs).toEqual([]);
              continue;
            }
            expect(runs).toEqual([
              { jobId, atMs: runs[0]?.atMs, payload: { edit: latest.n }, count: joined.length },
            ]);
            // Never before the burst was due: the quiet time after its latest enqueue, or its deadline.
            const dueAtMs = Math.min(
              latest.nowMs + WAIT_MS,
              joined[0]!.deadlineMs ?? Number.POSITIVE_INFINITY,
            );
            expect(runs[0]!.atMs).toBeGreaterThanOrEqual(dueAtMs);
          }
          expect(ran.runs.length).toBe(new Set(ran.runs.map((r) => r.jobId)).size);
        }),
        { numRuns: adapter.name === 'memory' ? 200 : 8 },
      );
    });
  });

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
    // The memory store's entries are put by the embedded engine's own commit (not through the JobStore port).
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

/**
 * A burst scenario: enqueues at increasing times, each with its message delivered after the job's wait (SQS's
 * delay) plus some lag, or lost (its send failed after the push landed), and maybe a maxWait.
 */
const burstScenario = fc.record({
  maxWaitMs: fc.option(fc.constantFrom(MINUTE, 2 * MINUTE), { nil: undefined }),
  enqueues: fc.array(
    fc.record({
      gapMs: fc.integer({ min: 0, max: 2 * WAIT_MS }),
      lagMs: fc.integer({ min: 0, max: 3 * DEBOUNCE_GRACE_MS }),
      lost: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

interface Joined {
  readonly n: number;
  readonly nowMs: number;
  readonly count: number;
  readonly deadlineMs?: number;
  readonly delivered: boolean;
}

/**
 * Plays a scenario against the store in time order: each enqueue pushes, its message takes when it arrives, and a
 * message told to wait comes back at its `untilMs`. Enqueues and deliveries at the same instant run concurrently.
 */
type BurstScenario = typeof burstScenario extends fc.Arbitrary<infer S> ? S : never;

async function playScenario(store: JobStore, key: string, scenario: BurstScenario) {
  type Event = { atMs: number; order: number } & (
    | { kind: 'push'; n: number; lagMs: number; lost: boolean }
    | { kind: 'take'; input: TakeDebounceInput }
  );
  const events: Event[] = [];
  let atMs = T0;
  let order = 0;
  scenario.enqueues.forEach((e, n) => {
    atMs += e.gapMs;
    events.push({ kind: 'push', atMs, order: order++, n, lagMs: e.lagMs, lost: e.lost });
  });
  const bursts = new Map<string, Joined[]>();
  const runs: { jobId: string; atMs: number; payload: unknown; count: number }[] = [];
  while (events.length > 0) {
    events.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
    const now = events[0]!.atMs;
    const batch = events.splice(0, events.filter((e) => e.atMs === now).length);
    await Promise.all(
      batch.map(async (event) => {
        if (event.kind === 'push') {
          const enqueue = push(key, event.n, {
            nowMs: now,
            token: `${key}-token-${event.n}`,
            payload: { edit: event.n },
            ...(scenario.maxWaitMs === undefined ? {} : { deadlineMs: now + scenario.maxWaitMs }),
          });
          const window = await store.pushDebounce(enqueue);
          const joined = bursts.get(window.jobId) ?? [];
          joined.push({
            n: event.n,
            nowMs: now,
            count: window.count,
            ...(window.deadlineMs === undefined ? {} : { deadlineMs: window.deadlineMs }),
            delivered: !event.lost,
          });
          bursts.set(window.jobId, joined);
          if (!event.lost)
            events.push({
              kind: 'take',
              atMs: now + WAIT_MS + event.lagMs,
              order: order++,
              input: take(enqueue, window, 0),
            });
          return;
        }
        const result: TakeDebounceResult = await store.takeDebounce({ ...event.input, nowMs: now });
        if (result.kind === 'run')
          runs.push({ jobId: result.jobId, atMs: now, payload: result.payload, count: result.count });
        else if (result.kind === 'wait') {
          expect(result.untilMs).toBeGreaterThan(now);
          events.push({ ...event, atMs: result.untilMs, order: order++ });
        }
      }),
    );
  }
  for (const joined of bursts.values()) joined.sort((a, b) => a.count - b.count);
  return { bursts, runs };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import { DEBOUNCE_PAYLOAD_MAX_BYTES } from '../../src/store/debounce-payload';
import { DEBOUNCE_GRACE_MS } from '../../src/store/enqueue-control-decision';
import type {
  DebounceInput,
  DebounceWindow,
  JobStore,
  TakeDebounceInput,
  TakeDebounceResult,
} from '../../src/store/types';
import { expiresAtSecFrom, type StoreAdapter, T0 } from '../helpers/job-store';

// Debounced bursts (README "Debounce"), run inside the store conformance suite on both adapters through
// describeEnqueueControl (store-enqueue-conformance.ts).

let sequence = 0;
const newKey = (what: string) =>
  `send-digest/${what}-${++sequence}-${Math.random().toString(36).slice(2, 8)}`;

const MINUTE = 60_000;
const WAIT_MS = 30_000;

/** One enqueue of a debounced key: its token, and the job id a new burst would take. */
export const push = (key: string, n: number, overrides: Partial<DebounceInput> = {}): DebounceInput => {
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

export function describeDebounce(adapter: StoreAdapter, storeOf: () => JobStore): void {
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

    it('gives a burst opened without a deadline the one a later enqueue brings (maxWait added by a deploy)', async () => {
      const store = storeOf();
      const key = newKey('debounce');
      const [first, second, third] = [
        push(key, 1),
        push(key, 2, { deadlineMs: T0 + 2 * MINUTE }),
        push(key, 3),
      ];
      expect(await store.pushDebounce(first)).toEqual({
        jobId: first.jobId,
        firstAtMs: first.nowMs,
        count: 1,
      });
      const withDeadline = { jobId: first.jobId, firstAtMs: first.nowMs, deadlineMs: T0 + 2 * MINUTE };
      expect(await store.pushDebounce(second)).toEqual({ ...withDeadline, count: 2 });
      // Once there, it stays (a later enqueue without one does not take it away).
      expect(await store.pushDebounce(third)).toEqual({ ...withDeadline, count: 3 });
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

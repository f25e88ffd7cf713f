import { afterEach, describe, expect, it } from 'vitest';
import { defineJob, type JobDefinition, type JobEvent } from 'wharf-jobs';
import { z } from 'zod';
import { embeddedHarness } from '../helpers/harness/embedded';
import { motoHarness } from '../helpers/harness/moto';
import type { Harness, HarnessEnv } from '../helpers/harness/types';

const account = z.object({ accountId: z.string(), n: z.number().int() });

/** Runs of one job, with how many ran at once per key at their peak. */
class RunLog {
  private readonly running = new Map<string, number>();
  readonly peak = new Map<string, number>();
  readonly ran: { accountId: string; n: number; startMs: number }[] = [];
  /** Pairs of runs of different keys that overlapped in time: the keys ran side by side. */
  overlaps = 0;

  async run(accountId: string, n: number, startMs: number, workMs: number): Promise<void> {
    const now = (this.running.get(accountId) ?? 0) + 1;
    this.running.set(accountId, now);
    this.peak.set(accountId, Math.max(this.peak.get(accountId) ?? 0, now));
    for (const [key, count] of this.running) if (key !== accountId && count > 0) this.overlaps++;
    this.ran.push({ accountId, n, startMs });
    await new Promise((r) => setTimeout(r, workMs));
    this.running.set(accountId, (this.running.get(accountId) ?? 1) - 1);
  }
}

const deferrals = (events: readonly JobEvent[], why: string) =>
  events.filter((e) => e.type === 'deferred' && e.why === why);

/** Delivers until nothing is left; on moto, several event-source-mapping polls run at once (concurrent batches). */
async function drainAll(harness: Harness, env: HarnessEnv): Promise<void> {
  if (!harness.realTime) return env.drain();
  await Promise.all([env.drain({ timeoutMs: 90_000 }), env.drain({ timeoutMs: 90_000 })]);
}

describe.each([embeddedHarness, motoHarness])('flow control on the $name', (harness) => {
  let env: HarnessEnv | undefined;
  // A visibility timeout as a deployment has it (≥ 6 × the function timeout): moto's 2 s default would let a slow
  // batch's messages come back to the other poll while still running, and a tracked job run twice is at-least-once,
  // not what these tests look at.
  const setup = async (jobs: JobDefinition[]) => {
    env = await harness.setup(jobs, { visibilityTimeoutSeconds: 60 });
    return env;
  };
  afterEach(async () => {
    await env?.teardown();
    env = undefined;
  });

  it('runs at most 2 at once per key while two keys run side by side, and every job runs once', async () => {
    const log = new RunLog();
    const job = defineJob({
      name: 'sync-account',
      schema: account,
      concurrency: { limit: 2, key: (p) => p.accountId },
      async perform({ accountId, n }, ctx) {
        await log.run(accountId, n, ctx.createdAtMs, harness.realTime ? 300 : 20);
      },
    });
    const e = await setup([job]);
    for (let n = 0; n < 20; n++) await e.client.enqueue(job.with({ accountId: n % 2 ? 'b' : 'a', n }));
    await drainAll(harness, e);
    expect(log.ran.map((r) => r.n).sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
    expect(log.peak.get('a')).toBe(2);
    expect(log.peak.get('b')).toBe(2);
    expect(log.overlaps).toBeGreaterThan(0);
    // Held back, not run: deferrals use no attempt, so every job ran as its first attempt.
    expect(e.events.filter((ev) => ev.type === 'started').every((ev) => ev.attempt === 1)).toBe(true);
    const held = deferrals(e.events, 'concurrency');
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((ev) => ev.type === 'deferred' && (ev.key === 'a' || ev.key === 'b'))).toBe(true);
  });

  it('notes on a held-back job why it waits and until when, and clears the note once it runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const job = defineJob({
      name: 'one-at-a-time',
      schema: account,
      concurrency: { limit: 1 },
      async perform({ n }) {
        if (n === 0) await gate;
      },
    });
    const e = await setup([job]);
    const first = await e.client.enqueue(job.with({ accountId: 'a', n: 0 }));
    const second = await e.client.enqueue(job.with({ accountId: 'a', n: 1 }));
    const delivering = e.deliver();
    let note: Awaited<ReturnType<typeof e.store.get>> | undefined;
    for (let i = 0; i < 100 && note?.deferred === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      if (i % 10 === 9 && harness.realTime) void e.deliver();
      note = await e.store.get(second.jobId, e.clock.nowMs());
    }
    expect(note).toMatchObject({
      status: 'queued',
      deferred: { why: 'concurrency', count: 1, untilMs: expect.any(Number) },
    });
    expect(note?.deferred?.untilMs).toBeGreaterThan(e.clock.nowMs() - 1_000);
    release();
    await delivering;
    await e.drain({ timeoutMs: 30_000 });
    expect(await e.store.get(first.jobId, e.clock.nowMs())).toMatchObject({ status: 'succeeded' });
    const done = await e.store.get(second.jobId, e.clock.nowMs());
    expect(done).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(done?.deferred).toBeUndefined();
  });

  it('throttles starts: never more than the limit within any one period, and every job still runs', async () => {
    // The embedded engine runs on its manual clock: 5 a minute. On moto the clock is real: 5 per 5 s.
    const periodMs = harness.realTime ? 5_000 : 60_000;
    const starts: number[] = [];
    const job = defineJob({
      name: 'call-partner',
      schema: account,
      idempotency: 'off',
      throttle: { limit: 5, period: { ms: periodMs } },
      perform(_p, _ctx) {
        starts.push(env!.clock.nowMs());
      },
    });
    const e = await setup([job]);
    for (let n = 0; n < 12; n++) await e.client.enqueue(job.with({ accountId: 'a', n }));
    await e.drain({ timeoutMs: 60_000 });
    expect(starts).toHaveLength(12);
    starts.sort((a, b) => a - b);
    for (let i = 5; i < starts.length; i++) {
      // The sixth start after any start is at least one period later (SQS delays are whole seconds: 50 ms slack).
      expect(starts[i]! - starts[i - 5]!).toBeGreaterThanOrEqual(periodMs - 50);
    }
    expect(deferrals(e.events, 'throttle').length).toBeGreaterThanOrEqual(7);
  });

  it("frees a crashed holder's slot when its lease ends, and not before", async () => {
    const ran: number[] = [];
    const job = defineJob({
      name: 'exclusive',
      schema: account,
      timeout: '5s',
      concurrency: { limit: 1 },
      perform({ n }) {
        ran.push(n);
      },
    });
    const e = await setup([job]);
    // A run that took the only slot and then died: it never gives the slot back.
    const leaseMs = harness.realTime ? 4_000 : 60_000;
    const crashedAt = e.clock.nowMs();
    await e.store.acquireSlot({
      key: 'exclusive',
      limit: 1,
      holder: 'crashed-run',
      nowMs: crashedAt,
      leaseExpiresAtMs: crashedAt + leaseMs,
    });
    await e.client.enqueue(job.with({ accountId: 'a', n: 1 }));
    await e.deliver();
    expect(ran).toEqual([]);
    expect(deferrals(e.events, 'concurrency')).toHaveLength(1);
    await e.drain({ timeoutMs: 30_000 });
    expect(ran).toEqual([1]);
    const started = e.events.find((ev) => ev.type === 'started');
    expect(started?.atMs).toBeGreaterThanOrEqual(crashedAt + leaseMs);
  });

  it('keeps throttles of different keys apart', async () => {
    const starts: { key: string; atMs: number }[] = [];
    const job = defineJob({
      name: 'per-key-throttle',
      schema: account,
      idempotency: 'off',
      throttle: { limit: 1, period: '1h', key: (p) => p.accountId },
      perform({ accountId }) {
        starts.push({ key: accountId, atMs: env!.clock.nowMs() });
      },
    });
    const e = await setup([job]);
    for (const accountId of ['a', 'b', 'c']) await e.client.enqueue(job.with({ accountId, n: 0 }));
    await e.client.enqueue(job.with({ accountId: 'a', n: 1 }));
    await e.deliver();
    // One start an hour per key: a, b and c start now; a's second waits for its reserved start in an hour.
    expect(starts.map((s) => s.key).sort()).toEqual(['a', 'b', 'c']);
    expect(deferrals(e.events, 'throttle')).toMatchObject([{ key: 'a', delayMs: expect.any(Number) }]);
    const held = deferrals(e.events, 'throttle')[0];
    expect(held?.type === 'deferred' && held.delayMs).toBeGreaterThan(3_500_000);
  });

  it('puts a paused job type off without an attempt, and runs it once resumed', async () => {
    const ran: number[] = [];
    const job = defineJob({
      name: 'pausable',
      schema: account,
      perform({ n }) {
        ran.push(n);
      },
    });
    const e = await setup([job]);
    await e.store.setPause(
      { kind: 'job', name: 'pausable' },
      { paused: true, reason: 'partner down' },
      e.clock.nowMs(),
    );
    const { jobId } = await e.client.enqueue(job.with({ accountId: 'a', n: 1 }));
    // The engine reads pauses every 5 s on AWS (pauseRefresh): wait it out on a real clock.
    if (harness.realTime) await e.advance(5_100);
    await e.deliver();
    expect(ran).toEqual([]);
    expect(deferrals(e.events, 'paused').length).toBeGreaterThanOrEqual(1);
    expect(await e.store.get(jobId, e.clock.nowMs())).toMatchObject({
      status: 'queued',
      deferred: { why: 'paused' },
    });
    await e.store.setPause({ kind: 'job', name: 'pausable' }, { paused: false }, e.clock.nowMs());
    if (harness.realTime) await e.advance(5_100);
    await e.drain({ timeoutMs: 60_000 });
    expect(ran).toEqual([1]);
    expect(await e.store.get(jobId, e.clock.nowMs())).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('dead-letters a message whose limit key cannot be computed, naming the problem', async () => {
    const job = defineJob({
      name: 'keyed',
      schema: z.object({ accountId: z.string().optional() }),
      concurrency: { limit: 1, key: (p) => p.accountId as string },
      perform: () => undefined,
    });
    const e = await setup([job]);
    // Enqueue refuses it (the key function runs there too), so it arrives as another producer would send it.
    await expect(e.client.enqueue(job.with({}))).rejects.toMatchObject({ code: 'WHARF_INVALID_PAYLOAD' });
    const now = e.clock.nowMs();
    await e.sendRaw(
      JSON.stringify({
        v: 1,
        id: 'raw-1',
        job: 'keyed',
        payload: {},
        attempt: 1,
        createdAtMs: now,
        enqueuedAtMs: now,
      }),
    );
    await e.drain({ timeoutMs: 30_000 });
    const [dead] = await e.deadLetters();
    expect(JSON.parse(dead!.body).deadLetter).toMatchObject({
      reason: 'invalid-payload',
      error: { message: expect.stringMatching(/concurrency\.key: expected a string of 1-256 characters/) },
    });
  });
});

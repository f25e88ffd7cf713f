import { afterEach, describe, expect, it } from 'vitest';
import { defineJob, type JobDefinition } from 'wharf-jobs';
import { z } from 'zod';
import { embeddedHarness } from '../helpers/harness/embedded';
import { motoHarness } from '../helpers/harness/moto';
import type { HarnessEnv } from '../helpers/harness/types';

// Issue 16's acceptance on the embedded engine and on moto (SQS + DynamoDB, the Lambda handler in-process):
// unique keys, debounce, expiry and cancel of a job already on its queue.

const order = z.object({ orderId: z.string(), n: z.number().int() });
const doc = z.object({ docId: z.string(), text: z.string() });

describe.each([embeddedHarness, motoHarness])('enqueue control on the $name', (harness) => {
  let env: HarnessEnv | undefined;
  const setup = async (jobs: JobDefinition[]) => {
    env = await harness.setup(jobs, { visibilityTimeoutSeconds: 60 });
    return env;
  };
  afterEach(async () => {
    await env?.teardown();
    env = undefined;
  });
  const recordOf = (e: HarnessEnv, jobId: string) => e.store.get(jobId, e.clock.nowMs());

  it('runs two enqueues of one unique key once, answers the second as a duplicate naming the first, and frees the key when the job finishes', async () => {
    const ran: number[] = [];
    const job = defineJob({
      name: 'charge-order',
      schema: order,
      unique: { key: (p) => p.orderId, until: 'finished' },
      perform: ({ n }) => void ran.push(n),
    });
    const e = await setup([job]);
    const first = await e.client.enqueue(job.with({ orderId: 'o1', n: 1 }));
    const second = await e.client.enqueue(job.with({ orderId: 'o1', n: 2 }));
    const other = await e.client.enqueue(job.with({ orderId: 'o2', n: 3 }));
    expect(first.outcome).toBe('enqueued');
    expect(second).toMatchObject({ outcome: 'duplicate', jobId: first.jobId, jobName: 'charge-order' });
    expect(second.messageId).toBeUndefined();
    expect(other.outcome).toBe('enqueued');
    await e.drain();
    expect(ran.sort()).toEqual([1, 3]);
    // Finished: the key is free, so the next enqueue is a new job.
    const third = await e.client.enqueue(job.with({ orderId: 'o1', n: 4 }));
    expect(third.outcome).toBe('enqueued');
    expect(third.jobId).not.toBe(first.jobId);
    await e.drain();
    expect(ran.sort()).toEqual([1, 3, 4]);
  });

  it('frees a key held until the job starts as soon as it starts, so an enqueue during the run is a new job', async () => {
    let during: Awaited<ReturnType<HarnessEnv['client']['enqueue']>> | undefined;
    let client: HarnessEnv['client'] | undefined;
    const job = defineJob({
      name: 'sync-order',
      schema: order,
      unique: { key: (p) => p.orderId, until: 'started' },
      async perform({ n }) {
        if (n === 1) during = await client!.enqueue(job.with({ orderId: 'o1', n: 2 }));
      },
    });
    const e = await setup([job]);
    client = e.client;
    const first = await e.client.enqueue(job.with({ orderId: 'o1', n: 1 }));
    expect((await e.client.enqueue(job.with({ orderId: 'o1', n: 9 }))).outcome).toBe('duplicate');
    await e.drain();
    expect(during).toMatchObject({ outcome: 'enqueued' });
    expect(during?.jobId).not.toBe(first.jobId);
    expect(await recordOf(e, during!.jobId)).toMatchObject({ status: 'succeeded' });
  });

  it('keeps a windowed key held for its window whatever the job does, then frees it', async () => {
    const windowMs = harness.realTime ? 3_000 : 600_000;
    const job = defineJob({
      name: 'notify-order',
      schema: order,
      unique: { key: (p) => p.orderId, until: { for: { ms: windowMs } } },
      perform: () => undefined,
    });
    const e = await setup([job]);
    const first = await e.client.enqueue(job.with({ orderId: 'o1', n: 1 }));
    await e.drain();
    expect(await recordOf(e, first.jobId)).toMatchObject({ status: 'succeeded' });
    expect(await e.client.enqueue(job.with({ orderId: 'o1', n: 2 }))).toMatchObject({
      outcome: 'duplicate',
      jobId: first.jobId,
    });
    await e.advance(windowMs + 1_000);
    expect((await e.client.enqueue(job.with({ orderId: 'o1', n: 3 }))).outcome).toBe('enqueued');
  });

  it('reports duplicates per item in a bulk enqueue, within the call and against earlier jobs', async () => {
    const job = defineJob({
      name: 'bulk-order',
      schema: order,
      unique: { key: (p) => p.orderId, until: 'finished' },
      perform: () => undefined,
    });
    const e = await setup([job]);
    const earlier = await e.client.enqueue(job.with({ orderId: 'o0', n: 0 }));
    const result = await e.client.enqueueMany([
      job.with({ orderId: 'o1', n: 1 }),
      job.with({ orderId: 'o0', n: 2 }),
      job.with({ orderId: 'o1', n: 3 }),
      job.with({ orderId: 'o2', n: 4 }),
    ]);
    expect(result.failed).toEqual([]);
    expect(result.enqueued.map((j) => j.outcome)).toEqual(['enqueued', 'enqueued']);
    const [o1, o2] = result.enqueued;
    expect(result.duplicates).toEqual([
      expect.objectContaining({ index: 1, outcome: 'duplicate', jobId: earlier.jobId }),
      expect.objectContaining({ index: 2, outcome: 'duplicate', jobId: o1!.jobId }),
    ]);
    expect(o2!.jobId).not.toBe(o1!.jobId);
  });

  it('runs a debounced burst of ten once, with the last payload, wait after the last enqueue, and acknowledges the rest unrun', async () => {
    const ran: { docId: string; text: string; jobId: string; atMs: number }[] = [];
    let clock: HarnessEnv['clock'] | undefined;
    const job = defineJob({
      name: 'index-doc',
      schema: doc,
      debounce: { key: (p) => p.docId, wait: '2s', maxWait: '5m' },
      perform: (p, ctx) => void ran.push({ ...p, jobId: ctx.jobId, atMs: clock!.nowMs() }),
    });
    const e = await setup([job]);
    clock = e.clock;
    // Spaced so that the first messages are due while the burst goes on: they must not run it.
    const gapMs = harness.realTime ? 300 : 1_000;
    const answers = [];
    for (let i = 1; i <= 10; i++) {
      if (i > 1) await e.advance(gapMs);
      answers.push(await e.client.enqueue(job.with({ docId: 'd1', text: `v${i}` })));
    }
    const lastEnqueueMs = e.clock.nowMs();
    // Every enqueue of the burst names the burst's one job, and says how many it holds so far.
    expect(new Set(answers.map((a) => a.jobId)).size).toBe(1);
    expect(answers.map((a) => a.debounced?.count)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await e.drain({ timeoutMs: 60_000 });
    expect(ran.map(({ atMs: _, ...r }) => r)).toEqual([
      { docId: 'd1', text: 'v10', jobId: answers[0]!.jobId },
    ]);
    // Quiet for `wait` after the last enqueue (less the engine's 1 s tolerance for early deliveries).
    expect(ran[0]!.atMs).toBeGreaterThanOrEqual(lastEnqueueMs + 1_000);
    expect(e.events.filter((ev) => ev.type === 'debounced')).toHaveLength(9);
    expect(await recordOf(e, answers[0]!.jobId)).toMatchObject({ status: 'succeeded', attempt: 1 });
    // The burst ran: the next enqueue opens a new one, with a job of its own.
    const next = await e.client.enqueue(job.with({ docId: 'd1', text: 'v11' }));
    expect(next.jobId).not.toBe(answers[0]!.jobId);
    await e.drain({ timeoutMs: 60_000 });
    expect(ran.map((r) => r.text)).toEqual(['v10', 'v11']);
  });

  it('cuts a burst that never goes quiet at its maxWait: it runs within maxWait of its first enqueue, with the payload latest by then', async () => {
    const ran: { text: string; jobId: string; atMs: number }[] = [];
    let clock: HarnessEnv['clock'] | undefined;
    const job = defineJob({
      name: 'preview-doc',
      schema: doc,
      debounce: { key: (p) => p.docId, wait: '4s', maxWait: '5s' },
      perform: ({ text }, ctx) => void ran.push({ text, jobId: ctx.jobId, atMs: clock!.nowMs() }),
    });
    const e = await setup([job]);
    clock = e.clock;
    const enqueued: { jobId: string; atMs: number }[] = [];
    // Every 1.5 s (plus a poll on moto), under the 4 s of quiet the burst waits for: quiet never comes.
    for (let i = 1; i <= 8; i++) {
      const answer = await e.client.enqueue(job.with({ docId: 'd1', text: `v${i}` }));
      enqueued.push({ jobId: answer.jobId, atMs: e.clock.nowMs() });
      await e.advance(1_500);
      await e.deliver();
    }
    await e.drain({ timeoutMs: 60_000 });
    expect(ran.length).toBeGreaterThanOrEqual(2);
    expect(ran.at(-1)?.text).toBe('v8');
    for (const run of ran) {
      const firstMs = Math.min(...enqueued.filter((x) => x.jobId === run.jobId).map((x) => x.atMs));
      // maxWait, plus SQS's whole-second delays and a delivery's own latency.
      expect(run.atMs - firstMs).toBeLessThanOrEqual(5_000 + 2_500);
    }
    // Each burst ran once: no job id twice.
    expect(new Set(ran.map((r) => r.jobId)).size).toBe(ran.length);
  });

  it('never runs a job not started by its expiry, records it expired, and writes no dead letter', async () => {
    const ran: number[] = [];
    const job = defineJob({
      name: 'send-reminder',
      schema: order,
      expiresIn: '1s',
      perform: ({ n }) => void ran.push(n),
    });
    const e = await setup([job]);
    const late = await e.client.enqueue(job.with({ orderId: 'o1', n: 1 }));
    const onTime = await e.client.enqueue(job.with({ orderId: 'o2', n: 2 }, { expiresIn: '1h' }));
    expect(late.expiresAtMs).toBe(late.runAtMs + 1_000);
    await e.advance(2_500);
    await e.drain();
    expect(ran).toEqual([2]);
    expect(await recordOf(e, late.jobId)).toMatchObject({
      status: 'expired',
      jobName: 'send-reminder',
      skippedReason: expect.stringMatching(/^not started by .* \(expiresIn\)/),
    });
    expect(await recordOf(e, onTime.jobId)).toMatchObject({ status: 'succeeded' });
    expect(e.events.filter((ev) => ev.type === 'expired')).toEqual([
      expect.objectContaining({ jobId: late.jobId, lateMs: expect.any(Number) }),
    ]);
    expect(await e.deadLetters()).toEqual([]);
  });

  it('never runs a cancelled job that was already on its queue, and records it cancelled under its name', async () => {
    const ran: number[] = [];
    const job = defineJob({
      name: 'ship-order',
      schema: order,
      idempotency: 'exactly-once',
      perform: ({ n }) => void ran.push(n),
    });
    const e = await setup([job]);
    const cancelled = await e.client.enqueue(job.with({ orderId: 'o1', n: 1 }));
    const kept = await e.client.enqueue(job.with({ orderId: 'o2', n: 2 }));
    // On moto the client has no registry, so the answer adds a note on which jobs honour it.
    expect(await e.cancel!(cancelled.jobId)).toMatchObject({
      outcome: 'cancelled',
      jobId: cancelled.jobId,
      where: 'queue',
    });
    await e.drain();
    expect(ran).toEqual([2]);
    expect(await recordOf(e, cancelled.jobId)).toMatchObject({
      status: 'cancelled',
      jobName: 'ship-order',
      queue: job.options.queue,
    });
    expect(await recordOf(e, kept.jobId)).toMatchObject({ status: 'succeeded' });
    // Ended: a second cancel changes nothing, and says so.
    expect(await e.cancel!(cancelled.jobId)).toMatchObject({
      outcome: 'not-cancelled',
      reason: 'it had already ended (cancelled)',
    });
    expect(await e.cancel!(kept.jobId)).toMatchObject({
      outcome: 'not-cancelled',
      reason: 'it had already ended (succeeded)',
    });
  });

  it('stops every retry of a job cancelled while it ran: the running attempt is told, its retry never starts', async () => {
    const attempts: number[] = [];
    let cancelAnswer: unknown;
    let cancelFrom: (() => Promise<unknown>) | undefined;
    const job = defineJob({
      name: 'import-feed',
      schema: order,
      idempotency: 'exactly-once',
      retry: { attempts: 3, backoff: { strategy: 'fixed', delay: '1s' } },
      async perform(_p, ctx) {
        attempts.push(ctx.attempt);
        cancelAnswer = await cancelFrom!();
        throw new Error('feed unavailable');
      },
    });
    const e = await setup([job]);
    const enqueued = await e.client.enqueue(job.with({ orderId: 'o1', n: 1 }));
    cancelFrom = () => e.cancel!(enqueued.jobId);
    await e.drain({ timeoutMs: 30_000 });
    expect(cancelAnswer).toMatchObject({ outcome: 'signalled', jobId: enqueued.jobId });
    expect(attempts).toEqual([1]);
    expect(await recordOf(e, enqueued.jobId)).toMatchObject({
      status: 'cancelled',
      cancelRequestedAtMs: expect.any(Number),
    });
    expect(await e.deadLetters()).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';

const START = Date.parse('2026-02-02T09:00:00Z');

describe('the embedded engine on a FIFO queue (jobs with a group)', () => {
  let clock: ManualClock;
  let engine: LocalEngine;
  let runs: { order: string; step: number; attempt: number; atMs: number }[];
  let events: JobEvent[];
  /** `${order}/${step}` -> attempts that throw. */
  let failing: Map<string, number>;

  const ship = defineJob({
    name: 'ship-step',
    queue: 'orders',
    schema: z.object({ orderId: z.string(), step: z.number() }),
    group: (p) => p.orderId,
    retry: { attempts: 3, backoff: { strategy: 'fixed', delay: '30s', jitter: 0 } },
    perform: (p, ctx) => {
      runs.push({ order: p.orderId, step: p.step, attempt: ctx.attempt, atMs: clock.nowMs() });
      const fails = failing.get(`${p.orderId}/${p.step}`) ?? 0;
      if (ctx.attempt <= fails) throw new Error(`step ${p.step} failed on attempt ${ctx.attempt}`);
    },
  });
  const loose = defineJob({
    name: 'loose',
    queue: 'orders',
    schema: z.object({}),
    perform: () => undefined,
  });

  beforeEach(() => {
    clock = createManualClock(START);
    runs = [];
    events = [];
    failing = new Map();
    engine = createLocalEngine({
      registry: createRegistry([ship, loose]),
      clock,
      onEvent: (e) => events.push(e),
    });
  });
  afterEach(() => engine.close());

  const enqueueSteps = async (orders: readonly string[], steps: number) => {
    // Interleaved across orders, as producers would enqueue them.
    for (let step = 1; step <= steps; step++)
      for (const orderId of orders)
        await engine.client.enqueue({ job: ship, payload: { orderId, step }, options: {} });
  };
  const stepsOf = (order: string) => runs.filter((r) => r.order === order).map((r) => r.step);

  it('treats the queue of grouped jobs as FIFO', () => {
    expect(engine.transport.queueKind?.('orders')).toBe('fifo');
  });

  it('runs each group in enqueue order while the groups interleave', async () => {
    await enqueueSteps(['o1', 'o2', 'o3'], 4);
    await engine.runUntilIdle();
    for (const order of ['o1', 'o2', 'o3']) expect(stepsOf(order)).toEqual([1, 2, 3, 4]);
    // Side by side: the first step of every order ran before any order's last.
    const firstLast = runs.findIndex((r) => r.step === 4);
    expect(runs.slice(0, firstLast).filter((r) => r.step === 1)).toHaveLength(3);
  });

  it('retries in place: the failed step comes back with the next attempt after its backoff, its group waiting', async () => {
    failing.set('o1/2', 1);
    await enqueueSteps(['o1', 'o2'], 3);
    await engine.runUntilIdle();
    expect(stepsOf('o1')).toEqual([1, 2, 2, 3]);
    const o1 = runs.filter((r) => r.order === 'o1');
    expect(o1.map((r) => r.attempt)).toEqual([1, 1, 2, 1]);
    // The retry came after the 30 s backoff, and step 3 only after the retry.
    expect(o1[2]!.atMs - o1[1]!.atMs).toBeGreaterThanOrEqual(30_000);
    expect(o1[3]!.atMs).toBeGreaterThanOrEqual(o1[2]!.atMs);
    // The other group did not wait for it.
    expect(stepsOf('o2')).toEqual([1, 2, 3]);
    expect(runs.filter((r) => r.order === 'o2').every((r) => r.atMs < o1[2]!.atMs)).toBe(true);
    // No copy was sent: the one message of step 2 carried both attempts.
    const retrying = events.filter((e) => e.type === 'retrying');
    expect(retrying).toHaveLength(1);
    expect(events.filter((e) => e.type === 'succeeded')).toHaveLength(6);
    const id = retrying[0]!.jobId!;
    expect(await engine.store.get(id, clock.nowMs())).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('dead-letters the last attempt to the DLQ with its reason, keeping the group, and lets the group go on', async () => {
    failing.set('o1/1', 3);
    await enqueueSteps(['o1'], 2);
    await engine.runUntilIdle();
    expect(runs.map((r) => [r.step, r.attempt])).toEqual([
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
    ]);
    const [letter] = engine.transport.peekDeadLetters('orders');
    expect(letter?.groupId).toBe('o1');
    const body = JSON.parse(letter!.body) as { deadLetter: { reason: string; attempts: number } };
    expect(body.deadLetter).toMatchObject({ reason: 'retries-exhausted', attempts: 3 });
  });

  it('S12: a resend within 5 minutes is dropped by the queue, one after the window runs again only as a duplicate', async () => {
    const resend = () =>
      engine.client.enqueue({ job: ship, payload: { orderId: 'o1', step: 1 }, options: { jobId: 'ship-1' } });
    await resend();
    await resend();
    expect(engine.transport.peek('orders')).toHaveLength(1);
    await engine.runUntilIdle();
    clock.advance(6 * 60_000);
    await resend();
    expect(engine.transport.peek('orders')).toHaveLength(1);
    await engine.runUntilIdle();
    // Delivered again after the window, and still one effect: the claim finds the job done.
    expect(runs).toHaveLength(1);
    expect(events.filter((e) => e.type === 'duplicate').map((e) => e.jobId)).toEqual(['ship-1']);
  });

  it('refuses at enqueue a job without a group on the FIFO queue, and a delay', async () => {
    await expect(engine.client.enqueue({ job: loose, payload: {}, options: {} })).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringMatching(/FIFO queue, and job "loose" has no `group`/),
    });
    await expect(
      engine.client.enqueue({ job: ship, payload: { orderId: 'o1', step: 1 }, options: { delay: '1m' } }),
    ).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringMatching(/no per-message delay/),
    });
    expect(engine.transport.peek('orders')).toEqual([]);
  });
});

describe('the embedded engine refuses a grouped job on a standard queue', () => {
  it('at enqueue, saying to make the queue FIFO', async () => {
    const grouped = defineJob({
      name: 'grouped',
      schema: z.object({ id: z.string() }),
      group: (p) => p.id,
      perform: () => undefined,
    });
    const engine = createLocalEngine({ registry: createRegistry([grouped]), fifoQueues: [] });
    await expect(
      engine.client.enqueue({ job: grouped, payload: { id: 'a' }, options: {} }),
    ).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringMatching(/standard queue, which does not keep order/),
    });
    engine.close();
  });
});

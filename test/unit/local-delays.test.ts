import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../../src/clock';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { RetryAfterError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { oneTimeScheduleName } from '../../src/schedule/schedule-names';

const START = Date.parse('2026-02-02T09:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('the embedded engine: delays of any length, run-at, cancel, reschedule', () => {
  let clock: ManualClock;
  let engine: LocalEngine;
  let runs: { id: string; attempt: number; atMs: number }[];
  let events: JobEvent[];
  let failFirst: boolean;

  const invoice = defineJob({
    name: 'send-invoice',
    schema: z.object({ invoiceId: z.string() }),
    jobId: (p) => p.invoiceId, // ids are 'send-invoice:<invoiceId>'
    perform: (_p, ctx) => {
      runs.push({ id: ctx.jobId, attempt: ctx.attempt, atMs: clock.nowMs() });
      if (failFirst && ctx.attempt === 1) throw new RetryAfterError(2 * HOUR);
    },
  });

  beforeEach(() => {
    clock = createManualClock(START);
    runs = [];
    events = [];
    failFirst = false;
    engine = createLocalEngine({
      registry: createRegistry([invoice]),
      clock,
      onEvent: (e) => events.push(e),
      installAsDefault: true,
    });
  });
  afterEach(() => engine.close());

  it('keeps a job delayed 3 days in a schedule, not on the queue, and runs it at its time', async () => {
    const job = await invoice.performLater({ invoiceId: 'inv-1' }, { delay: '3d' });
    expect(job).toMatchObject({ jobId: 'send-invoice:inv-1', via: 'scheduler', runAtMs: START + 3 * DAY });
    expect(job.messageId).toBeUndefined();
    expect(engine.transport.peek('default')).toEqual([]);
    expect((await engine.scheduler.getJob('send-invoice:inv-1'))?.expression).toBe('at(2026-02-05T09:00:00)');
    await engine.runUntilIdle();
    expect(runs).toEqual([{ id: 'send-invoice:inv-1', attempt: 1, atMs: START + 3 * DAY }]);
    expect(events.filter((e) => e.type === 'deferred')).toEqual([]); // no 15-minute hops
  });

  it('runs a job at a given time the same way', async () => {
    const at = new Date('2026-03-01T08:30:00Z');
    expect(await invoice.performLater({ invoiceId: 'inv-1' }, { at })).toMatchObject({ via: 'scheduler' });
    await engine.runUntilIdle();
    expect(runs.map((r) => r.atMs)).toEqual([at.getTime()]);
  });

  it('sends delays up to 15 minutes and past times straight to the queue', async () => {
    const soon = await invoice.performLater({ invoiceId: 'a' }, { delay: '15m' });
    const past = await invoice.performLater({ invoiceId: 'b' }, { at: new Date(START - DAY) });
    expect([soon.via, past.via]).toEqual(['queue', 'queue']);
    expect((await engine.scheduler.list()).records).toEqual([]);
    await engine.runUntilIdle();
    expect(runs.map((r) => [r.id, r.atMs])).toEqual([
      ['send-invoice:b', START],
      ['send-invoice:a', START + 15 * MINUTE],
    ]);
  });

  it('enqueues a mix of horizons in bulk, each the right way', async () => {
    const result = await engine.client.enqueueMany([
      invoice.with({ invoiceId: 'now' }),
      invoice.with({ invoiceId: 'in-2d' }, { delay: '2d' }),
      invoice.with({ invoiceId: 'in-10m' }, { delay: '10m' }),
      invoice.with({ invoiceId: 'in-16m' }, { delay: '16m' }),
    ]);
    expect(result.failed).toEqual([]);
    expect(result.enqueued.map((j) => [j.jobId, j.via])).toEqual([
      ['send-invoice:now', 'queue'],
      ['send-invoice:in-2d', 'scheduler'],
      ['send-invoice:in-10m', 'queue'],
      ['send-invoice:in-16m', 'scheduler'],
    ]);
    await engine.runUntilIdle();
    expect(runs.map((r) => [r.id, (r.atMs - START) / MINUTE])).toEqual([
      ['send-invoice:now', 0],
      ['send-invoice:in-10m', 10],
      ['send-invoice:in-16m', 16],
      ['send-invoice:in-2d', 2 * 24 * 60],
    ]);
  });

  it('cancels a job waiting in its schedule, so it never runs; a second cancel says it could not', async () => {
    await invoice.performLater({ invoiceId: 'inv-1' }, { delay: '2d' });
    expect(await engine.client.cancel('send-invoice:inv-1')).toEqual({
      outcome: 'cancelled',
      jobId: 'send-invoice:inv-1',
      where: 'schedule',
    });
    expect(await engine.client.cancel('send-invoice:inv-1')).toEqual({
      outcome: 'not-cancelled',
      jobId: 'send-invoice:inv-1',
      reason: expect.stringMatching(
        /^job "send-invoice" is tracked: its runs do not claim before they start, so a message on its queue cannot be stopped/,
      ),
    });
    await engine.runUntilIdle();
    expect(runs).toEqual([]);
  });

  it('says a tracked job already on the queue cannot be cancelled, and runs it', async () => {
    await invoice.performLater({ invoiceId: 'inv-1' }, { delay: '10m' });
    expect(await engine.client.cancel('send-invoice:inv-1')).toMatchObject({
      outcome: 'not-cancelled',
      reason: expect.stringContaining("Give it idempotency: 'exactly-once'"),
    });
    await engine.runUntilIdle();
    expect(runs.map((r) => r.id)).toEqual(['send-invoice:inv-1']);
  });

  it('moves a waiting job to a later time, or onto the queue when the new time is within 15 minutes', async () => {
    await invoice.performLater({ invoiceId: 'later' }, { delay: '1d' });
    await invoice.performLater({ invoiceId: 'sooner' }, { delay: '1d' });
    expect(await engine.client.reschedule('send-invoice:later', { delay: '5d' })).toEqual({
      outcome: 'rescheduled',
      jobId: 'send-invoice:later',
      runAtMs: START + 5 * DAY,
      via: 'scheduler',
    });
    expect(await engine.client.reschedule('send-invoice:sooner', { delay: '5m' })).toEqual({
      outcome: 'rescheduled',
      jobId: 'send-invoice:sooner',
      runAtMs: START + 5 * MINUTE,
      via: 'queue',
    });
    expect(await engine.scheduler.getJob('send-invoice:sooner')).toBeUndefined();
    expect(await engine.client.reschedule('send-invoice:unknown', { delay: '1h' })).toMatchObject({
      outcome: 'not-scheduled',
    });
    await expect(engine.client.reschedule('send-invoice:later', {})).rejects.toThrow(/give "delay" or "at"/);
    await engine.runUntilIdle();
    expect(runs.map((r) => [r.id, r.atMs - START])).toEqual([
      ['send-invoice:sooner', 5 * MINUTE],
      ['send-invoice:later', 5 * DAY],
    ]);
  });

  it('waits out a retry backoff longer than 15 minutes in a schedule of its own', async () => {
    failFirst = true;
    await invoice.performLater({ invoiceId: 'inv-1' });
    await engine.tick();
    const retry = await engine.scheduler.getJob('send-invoice:inv-1', 2);
    expect(retry).toMatchObject({
      name: oneTimeScheduleName('send-invoice:inv-1', 2),
      expression: 'at(2026-02-02T11:00:00)',
    });
    expect(retry!.name).toMatch(/^job\.send-invoice_inv-1\.\.[0-9a-f]{20}\.r2$/);
    expect(JSON.parse(retry!.body)).toMatchObject({
      id: 'send-invoice:inv-1',
      attempt: 2,
      runAtMs: START + 2 * HOUR,
    });
    expect(engine.transport.peek('default')).toEqual([]);
    await engine.runUntilIdle();
    expect(runs.map((r) => [r.attempt, r.atMs - START])).toEqual([
      [1, 0],
      [2, 2 * HOUR],
    ]);
    expect(events.filter((e) => e.type === 'deferred')).toEqual([]);
  });
});

describe("the embedded engine's clock", () => {
  /** When each run happened, in real time (performance.now()). */
  const ran: number[] = [];
  const ping = defineJob({
    name: 'ping',
    schema: z.object({}),
    perform: () => void ran.push(performance.now()),
  });
  let engine: LocalEngine | undefined;
  afterEach(() => engine?.close());

  it('fast-forwards by default: a job delayed 10 minutes runs at once in real time, 10 minutes later on its clock', async () => {
    ran.length = 0;
    engine = createLocalEngine({ registry: createRegistry([ping]), installAsDefault: true });
    const startMs = engine.clock.nowMs();
    const wallStart = performance.now();
    await ping.performLater({}, { delay: '10m' });
    const summary = await engine.runUntilIdle();
    expect(ran).toHaveLength(1);
    expect(performance.now() - wallStart).toBeLessThan(5_000);
    expect(engine.clock.nowMs() - startMs).toBeGreaterThanOrEqual(10 * MINUTE);
    // The summary counts from runUntilIdle's call, which came some real time after the enqueue (this clock flows
    // with real time), so it saw the 10 minutes less that time: at most the real time from before the enqueue to
    // the run, and 1 ms for the clock's rounding to whole milliseconds. (Bounds taken from readings of the engine's
    // clock between the two calls were wrong by the millisecond the call itself took, and failed CI twice.)
    expect(summary.simulatedMs).toBeGreaterThanOrEqual(10 * MINUTE - (ran[0]! - wallStart) - 1);
    expect(summary.simulatedMs).toBeLessThanOrEqual(engine.clock.nowMs() - startMs);
  });

  it('waits in real time only when asked to (realTime: true), on the system clock', async () => {
    engine = createLocalEngine({ registry: createRegistry([ping]), realTime: true, installAsDefault: true });
    expect(engine.clock).toBe(systemClock);
    expect('advanceTo' in engine.clock).toBe(false);
  });

  it('refuses realTime together with a clock of its own', () => {
    expect(() =>
      createLocalEngine({ registry: createRegistry([ping]), realTime: true, clock: createManualClock() }),
    ).toThrow(/give either "realTime: true" or a "clock", not both/);
  });
});

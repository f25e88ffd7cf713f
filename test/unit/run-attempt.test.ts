import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createEngine } from '../../src/engine/engine';
import { type JobEvent, safeEmit } from '../../src/engine/events';
import { type AttemptInput, type AttemptOutcome, runAttempt } from '../../src/engine/run-attempt';
import { DiscardJobError, InvalidOptionsError, JobTimeoutError, RetryAfterError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import type { JobContext, JobProgress } from '../../src/job/types';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { createMemoryTransport } from '../../src/transport/memory';

type Perform = (payload: unknown, ctx: JobContext) => unknown;

function attempt(clock: ManualClock, perform: Perform, extra: Partial<AttemptInput> = {}) {
  const job = defineJob({ name: 'subject', schema: z.unknown(), queue: 'work', timeout: '10s', perform });
  return runAttempt({
    job,
    payload: { n: 1 },
    run: { jobId: 'job-1', attempt: 2, createdAtMs: 1_000 },
    clock,
    ...extra,
  });
}

/** Lets pending promise callbacks run (the manual clock wakes sleepers synchronously). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function failed(outcome: AttemptOutcome): unknown {
  if (outcome.ok) throw new Error(`expected a failed attempt, got ${JSON.stringify(outcome.result)}`);
  return outcome.error;
}

describe('runAttempt', () => {
  it('returns what perform returns, and gives it the job context', async () => {
    const clock = createManualClock();
    let seen: JobContext | undefined;
    const outcome = await attempt(clock, (payload, ctx) => {
      seen = ctx;
      return { doubled: (payload as { n: number }).n * 2 };
    });
    expect(outcome).toEqual({ ok: true, result: { doubled: 2 } });
    expect(seen).toMatchObject({
      jobId: 'job-1',
      jobName: 'subject',
      queue: 'work',
      attempt: 2,
      maxAttempts: 5,
      createdAtMs: 1_000,
    });
    expect(seen!.signal.aborted).toBe(false);
  });

  it('leaves no timer behind once perform is done', async () => {
    const clock = createManualClock();
    await attempt(clock, async () => 'done');
    expect(clock.nextWakeMs()).toBeUndefined();
  });

  it('turns a synchronous throw into a failed attempt', async () => {
    const clock = createManualClock();
    const error = new TypeError('amount is undefined');
    const outcome = await attempt(clock, () => {
      throw error;
    });
    expect(failed(outcome)).toBe(error);
  });

  it('fails with JobTimeoutError at the timeout and aborts ctx.signal with it', async () => {
    const clock = createManualClock();
    let signal: AbortSignal | undefined;
    const running = attempt(clock, (_p, ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined); // never settles
    });
    await settle();
    clock.advance(9_999);
    await settle();
    expect(signal!.aborted).toBe(false);
    clock.advance(1);
    const error = failed(await running);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({
      code: 'WHARF_JOB_TIMEOUT',
      timeoutMs: 10_000,
      message: 'Job exceeded its timeout of 10000 ms',
    });
    expect(signal!.aborted).toBe(true);
    expect(signal!.reason).toBe(error);
  });

  it('lets a job that honours the signal stop at the timeout', async () => {
    const clock = createManualClock();
    let stoppedWith: unknown;
    const running = attempt(clock, (_p, ctx) =>
      clock.sleep(60_000, ctx.signal).catch((reason: unknown) => {
        stoppedWith = reason;
        throw reason;
      }),
    );
    await settle();
    clock.advance(10_000);
    const error = failed(await running);
    await settle();
    expect(stoppedWith).toBe(error);
  });

  it('names the invocation deadline when the budget was cut by it', async () => {
    const clock = createManualClock();
    const running = attempt(clock, () => new Promise(() => undefined), {
      budget: { ms: 4_000, reason: 'deadline' },
    });
    await settle();
    clock.advance(4_000);
    const error = failed(await running);
    expect(error).toBeInstanceOf(JobTimeoutError);
    expect(error).toMatchObject({
      code: 'WHARF_JOB_TIMEOUT',
      timeoutMs: 4_000,
      message: 'Job stopped 4000 ms into its run: the invocation deadline was near',
    });
  });

  it('keeps the outcome of a job that finishes just before the timeout', async () => {
    const clock = createManualClock();
    const running = attempt(clock, async () => {
      await clock.sleep(9_999);
      return 'in time';
    });
    await settle();
    clock.advance(9_999);
    expect(await running).toEqual({ ok: true, result: 'in time' });
  });

  it('arms no timer for a job that is done at once, sync or async', async () => {
    const clock = createManualClock();
    let sleeps = 0;
    const counting = {
      ...clock,
      sleep: (ms: number, signal?: AbortSignal) => {
        sleeps++;
        return clock.sleep(ms, signal);
      },
    };
    expect(await attempt(clock, () => 'sync', { clock: counting })).toEqual({ ok: true, result: 'sync' });
    expect(await attempt(clock, async () => 'async', { clock: counting })).toEqual({
      ok: true,
      result: 'async',
    });
    const rejected = await attempt(clock, async () => Promise.reject(new Error('no')), { clock: counting });
    expect(failed(rejected)).toMatchObject({ message: 'no' });
    expect(sleeps).toBe(0);
  });

  it('times out at start + timeout even when the job took time before its timer was armed', async () => {
    const clock = createManualClock();
    const running = attempt(clock, () => {
      clock.advance(4_000); // CPU spent synchronously before perform returned its promise
      return new Promise(() => undefined);
    });
    await settle();
    clock.advance(5_999);
    await settle();
    expect(clock.nextWakeMs()).toBe(clock.nowMs() + 1);
    clock.advance(1);
    expect(failed(await running)).toBeInstanceOf(JobTimeoutError);
  });

  it('shows a signal read only after the timeout as aborted, with the timeout as its reason', async () => {
    const clock = createManualClock();
    let ctxSeen: JobContext | undefined;
    const running = attempt(clock, (_p, ctx) => {
      ctxSeen = ctx;
      return new Promise(() => undefined);
    });
    await settle();
    clock.advance(10_000);
    const error = failed(await running);
    expect(ctxSeen!.signal.aborted).toBe(true);
    expect(ctxSeen!.signal.reason).toBe(error);
    expect(ctxSeen!.signal).toBe(ctxSeen!.signal);
  });

  it('makes ctx.retryAfter throw RetryAfterError with the delay and reason', async () => {
    const clock = createManualClock();
    const error = failed(await attempt(clock, (_p, ctx) => ctx.retryAfter('90s', 'rate limited')));
    expect(error).toBeInstanceOf(RetryAfterError);
    expect(error).toMatchObject({ code: 'WHARF_RETRY_AFTER', delayMs: 90_000, message: 'rate limited' });
  });

  it('says how long ctx.retryAfter waits when no reason is given', async () => {
    const clock = createManualClock();
    const error = failed(await attempt(clock, (_p, ctx) => ctx.retryAfter({ seconds: 30 })));
    expect(error).toMatchObject({ code: 'WHARF_RETRY_AFTER', message: 'Job asked to retry after 30s' });
  });

  it('rejects a ctx.retryAfter delay without a unit, naming the argument', async () => {
    const clock = createManualClock();
    const error = failed(await attempt(clock, (_p, ctx) => ctx.retryAfter(30 as never)));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).problems[0]).toMatch(/^retryAfter delay: .*the number 30/);
  });

  it('makes ctx.discard throw DiscardJobError with the reason', async () => {
    const clock = createManualClock();
    const error = failed(await attempt(clock, (_p, ctx) => ctx.discard('order was cancelled')));
    expect(error).toBeInstanceOf(DiscardJobError);
    expect(error).toMatchObject({ code: 'WHARF_DISCARD', message: 'order was cancelled' });
  });

  it('hands progress reports to the engine', async () => {
    const clock = createManualClock();
    const reports: JobProgress[] = [];
    await attempt(
      clock,
      (_p, ctx) => {
        ctx.progress({ done: 1, total: 2 });
        ctx.progress({ done: 2, total: 2, message: 'done' });
      },
      { onProgress: (p) => reports.push(p) },
    );
    expect(reports).toEqual([
      { done: 1, total: 2 },
      { done: 2, total: 2, message: 'done' },
    ]);
  });
});

describe('safeEmit', () => {
  const event: JobEvent = { type: 'started', queue: 'default', atMs: 0, latencyMs: 0 };

  it('swallows an error thrown by the listener', () => {
    expect(() =>
      safeEmit(() => {
        throw new Error('logger broke');
      }, event),
    ).not.toThrow();
  });

  it('hands the listener the very event it was given, once', () => {
    const seen: JobEvent[] = [];
    safeEmit((e) => seen.push(e), event);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(event);
  });

  it('keeps a job run whole when the event listener throws on every event', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock });
    const ran: number[] = [];
    const job = defineJob({
      name: 'loud',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: ({ n }) => void ran.push(n),
    });
    let calls = 0;
    const engine = createEngine({
      registry: createRegistry([job]),
      transport,
      clock,
      onEvent: () => {
        calls++;
        throw new Error('logger broke');
      },
    });
    const body = JSON.stringify({
      v: 1,
      id: 'j1',
      job: 'loud',
      payload: { n: 3 },
      attempt: 1,
      createdAtMs: clock.nowMs(),
      enqueuedAtMs: clock.nowMs(),
    });
    const disposition = await engine.process({
      messageId: 'm1',
      receiptHandle: 'r1',
      body,
      queue: 'default',
      attributes: {},
      receiveCount: 1,
    });
    expect(disposition).toEqual({ action: 'ack', outcome: 'succeeded' });
    expect(ran).toEqual([3]);
    expect(calls).toBe(2); // started, succeeded
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import { createEngine } from '../../src/engine/engine';
import type { JobEvent } from '../../src/engine/events';
import type { Engine, EngineOptions, ProcessOptions } from '../../src/engine/types';
import { ATTR, type Envelope } from '../../src/envelope/envelope';
import type { JobDefinition } from '../../src/job/define-job';
import { createRegistry } from '../../src/job/registry';
import type { IdempotencyMode, JobContext } from '../../src/job/types';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { createMemoryJobStore } from '../../src/store/memory-store';
import type { JobStore } from '../../src/store/types';
import { createMemoryTransport, type MemoryTransport } from '../../src/transport/memory';
import type { ReceivedMessage } from '../../src/transport/types';

const MINUTE = 60_000;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

interface Setup {
  readonly clock: ManualClock;
  readonly transport: MemoryTransport;
  readonly store: JobStore;
  readonly events: JobEvent[];
  engineFor(jobs: readonly JobDefinition[], options?: Partial<EngineOptions>): Engine;
  /** Receives the one message that is due now (fails the test when there is not exactly one). */
  receiveOne(): Promise<ReceivedMessage>;
  /** Receives the due message and hands it to the engine; acks or releases it as an adapter would. */
  deliver(engine: Engine, options?: ProcessOptions): ReturnType<Engine['process']>;
  queued(): { envelope: Envelope; delayMs: number }[];
}

function setup(): Setup {
  const clock = createManualClock(Date.UTC(2026, 10, 25, 12));
  const transport = createMemoryTransport({ clock, queues: ['default'], visibilityTimeoutSeconds: 30 });
  const store = createMemoryJobStore();
  const events: JobEvent[] = [];
  const receiveOne = async () => {
    const messages = await transport.receive('default', {
      maxMessages: 10,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 30,
    });
    expect(messages).toHaveLength(1);
    return messages[0]!;
  };
  return {
    clock,
    transport,
    store,
    events,
    engineFor: (jobs, options = {}) =>
      createEngine({
        registry: createRegistry(jobs),
        transport,
        store,
        clock,
        random: () => 0,
        onEvent: (e) => events.push(e),
        ...options,
      }),
    receiveOne,
    async deliver(engine, options) {
      const message = await receiveOne();
      const disposition = await engine.process(message, options);
      if (disposition.action === 'ack') await transport.ack('default', [message.receiptHandle]);
      else await transport.changeVisibility('default', [message.receiptHandle], 0);
      return disposition;
    },
    queued: () =>
      transport
        .peek('default')
        .map((m) => ({ envelope: JSON.parse(m.body), delayMs: m.visibleAtMs - m.sentAtMs })),
  };
}

const types = (events: JobEvent[]) =>
  events.map((e) => (e.type === 'deferred' ? `deferred:${e.why}` : e.type));

describe('the engine near an invocation deadline', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  it.each<IdempotencyMode>(['off', 'tracked', 'exactly-once'])(
    'releases a job (idempotency %s) without running it or using an attempt when the deadline is too close to start',
    async (idempotency) => {
      let runs = 0;
      const job = defineJob({ name: 'j', schema: z.object({}), idempotency, perform: () => void runs++ });
      const engine = s.engineFor([job]);
      const { jobId } = await createClient({ transport: s.transport, clock: s.clock }).enqueue(job.with({}));
      // 3 s are kept back for recording the outcome and a run needs at least 1 s: 3.999 s is not enough.
      const disposition = await s.deliver(engine, { deadlineMs: s.clock.nowMs() + 3_999 });
      expect(disposition).toEqual({
        action: 'release',
        reason: 'too close to the invocation deadline to start',
      });
      expect(runs).toBe(0);
      expect(types(s.events)).toEqual(['released']);
      expect(await s.store.get(jobId, s.clock.nowMs())).toBeUndefined();
      // The message comes back unchanged, still attempt 1.
      expect(s.queued().map((q) => q.envelope.attempt)).toEqual([1]);
      expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'succeeded' });
      expect(runs).toBe(1);
      expect(s.events.filter((e) => e.type === 'started').map((e) => e.attempt)).toEqual([1]);
    },
  );

  it('starts a job with just enough time left, its budget cut to the deadline', async () => {
    let signal: AbortSignal | undefined;
    const job = defineJob({
      name: 'j',
      schema: z.object({}),
      timeout: '30s',
      perform: (_p, ctx) => {
        signal = ctx.signal;
      },
    });
    const engine = s.engineFor([job]);
    await createClient({ transport: s.transport, clock: s.clock }).enqueue(job.with({}));
    expect(await s.deliver(engine, { deadlineMs: s.clock.nowMs() + 4_000 })).toEqual({
      action: 'ack',
      outcome: 'succeeded',
    });
    expect(signal?.aborted).toBe(false);
  });

  it('stops a run whose budget the deadline cut, as a JobTimeoutError naming the deadline, and schedules a retry', async () => {
    let ctxSeen: JobContext | undefined;
    const job = defineJob({
      name: 'long',
      schema: z.object({}),
      timeout: '5m',
      retry: { backoff: { strategy: 'fixed', delay: '20s' } },
      perform: (_p, ctx) => {
        ctxSeen = ctx;
        return new Promise(() => undefined);
      },
    });
    const engine = s.engineFor([job]);
    const { jobId } = await createClient({ transport: s.transport, clock: s.clock }).enqueue(job.with({}));
    const message = await s.receiveOne();
    const processing = engine.process(message, { deadlineMs: s.clock.nowMs() + 13_000 });
    await settle();
    // 13 s to the deadline minus 3 s of safety: the run may last 10 s, not the job's 5 minutes.
    s.clock.advance(9_999);
    await settle();
    expect(ctxSeen?.signal.aborted).toBe(false);
    s.clock.advance(1);
    expect(await processing).toEqual({ action: 'ack', outcome: 'retry-scheduled' });
    expect(ctxSeen?.signal.aborted).toBe(true);
    await s.transport.ack('default', [message.receiptHandle]);

    const [retry] = s.queued();
    expect(s.queued()).toHaveLength(1);
    expect(retry!.delayMs).toBe(20_000);
    expect(retry!.envelope).toMatchObject({ id: jobId, attempt: 2 });
    expect(retry!.envelope.failures).toEqual([
      {
        attempt: 1,
        atMs: s.clock.nowMs(),
        error: expect.objectContaining({
          name: 'JobTimeoutError',
          code: 'WHARF_JOB_TIMEOUT',
          message: 'Job stopped 10000 ms into its run: the invocation deadline was near',
        }),
      },
    ]);
    expect(await s.store.get(jobId, s.clock.nowMs())).toMatchObject({ status: 'retrying', attempt: 1 });
    expect(types(s.events)).toEqual(['started', 'retrying']);
  });
});

describe('the engine when the deadline cuts a run short', () => {
  it('schedules a retry even for a job that retries only listed errors', async () => {
    const s = setup();
    class GatewayDown extends Error {}
    const job = defineJob({
      name: 'strict',
      schema: z.object({}),
      timeout: '5m',
      retry: { retryOn: [GatewayDown], backoff: { strategy: 'fixed', delay: '5s' } },
      perform: (_p, ctx) => s.clock.sleep(600_000, ctx.signal),
    });
    const engine = s.engineFor([job]);
    await createClient({ transport: s.transport, clock: s.clock }).enqueue(job.with({}));
    const message = await s.receiveOne();
    const processing = engine.process(message, { deadlineMs: s.clock.nowMs() + 10_000 });
    await settle();
    s.clock.advance(7_000);
    expect(await processing).toEqual({ action: 'ack', outcome: 'retry-scheduled' });
    await s.transport.ack('default', [message.receiptHandle]);
    expect(s.transport.peekDeadLetters('default')).toEqual([]);
    expect(s.queued().map((q) => q.envelope.attempt)).toEqual([2]);
  });
});

describe('the engine with a job this worker does not know', () => {
  let s: Setup;
  beforeEach(() => {
    s = setup();
  });

  const ghost = defineJob({ name: 'ghost', schema: z.object({}), perform: () => undefined });
  const known = defineJob({ name: 'known', schema: z.object({}), perform: () => undefined });

  it('by default puts it off 3 times, a minute apart, before dead-lettering it (as the README says)', async () => {
    const engine = s.engineFor([known]);
    await createClient({ transport: s.transport, clock: s.clock }).enqueue(ghost.with({}));
    for (const deferrals of [1, 2, 3]) {
      expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'deferred' });
      expect(s.queued().map((q) => [q.envelope.deferrals, q.delayMs])).toEqual([[deferrals, MINUTE]]);
      s.clock.advance(MINUTE);
    }
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'dead-lettered' });
  });

  it('puts the message off a set number of times (deploy skew), then dead-letters it', async () => {
    const engine = s.engineFor([known], { unknownJobDeferrals: 2, unknownJobDelay: '1m' });
    const { jobId } = await createClient({ transport: s.transport, clock: s.clock }).enqueue(ghost.with({}));

    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'deferred' });
    expect(s.queued().map((q) => [q.envelope.deferrals, q.envelope.attempt, q.delayMs])).toEqual([
      [1, 1, MINUTE],
    ]);
    s.clock.advance(MINUTE);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'deferred' });
    expect(s.queued().map((q) => [q.envelope.deferrals, q.envelope.attempt, q.delayMs])).toEqual([
      [2, 1, MINUTE],
    ]);
    s.clock.advance(MINUTE);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'dead-lettered' });

    expect(s.queued()).toEqual([]);
    const dead = s.transport.peekDeadLetters('default');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes).toMatchObject({
      [ATTR.reason]: 'unknown-job',
      [ATTR.job]: 'ghost',
      [ATTR.jobId]: jobId,
      [ATTR.attempt]: '1',
    });
    const body = JSON.parse(dead[0]!.body) as Envelope;
    expect(body).toMatchObject({ id: jobId, job: 'ghost', deferrals: 2 });
    expect(body.deadLetter?.error).toMatchObject({
      name: 'UnknownJobError',
      code: 'WHARF_UNKNOWN_JOB',
      message: expect.stringContaining(
        'no job named "ghost" is registered on queue "default" of this worker',
      ),
    });
    expect(types(s.events)).toEqual(['deferred:unknown-job', 'deferred:unknown-job', 'dead']);
  });

  it('dead-letters at once when no deferrals are allowed', async () => {
    const engine = s.engineFor([known], { unknownJobDeferrals: 0 });
    await createClient({ transport: s.transport, clock: s.clock }).enqueue(ghost.with({}));
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'dead-lettered' });
    expect(s.transport.peekDeadLetters('default')).toHaveLength(1);
  });

  it('runs the job once a worker that knows it picks the deferred message up', async () => {
    let runs = 0;
    const deployed = defineJob({ name: 'ghost', schema: z.object({}), perform: () => void runs++ });
    const oldWorker = s.engineFor([known], { unknownJobDeferrals: 3, unknownJobDelay: '1m' });
    const newWorker = s.engineFor([known, deployed]);
    await createClient({ transport: s.transport, clock: s.clock }).enqueue(ghost.with({}));
    expect(await s.deliver(oldWorker)).toEqual({ action: 'ack', outcome: 'deferred' });
    s.clock.advance(MINUTE);
    expect(await s.deliver(newWorker)).toEqual({ action: 'ack', outcome: 'succeeded' });
    expect(runs).toBe(1);
  });

  it('keeps the due time of a delayed job whose name the worker does not know yet', async () => {
    const runs: number[] = [];
    const deployed = defineJob({
      name: 'ghost',
      schema: z.object({}),
      perform: () => void runs.push(s.clock.nowMs()),
    });
    const oldWorker = s.engineFor([known], { unknownJobDeferrals: 3, unknownJobDelay: '1m' });
    const newWorker = s.engineFor([known, deployed]);
    const { runAtMs } = await createClient({ transport: s.transport, clock: s.clock }).enqueue(
      ghost.with({}, { delay: '2h' }),
    );
    // The old worker sees the message at each 15-minute hop before the new one is deployed.
    s.clock.advance(15 * MINUTE);
    expect(await s.deliver(oldWorker)).toEqual({ action: 'ack', outcome: 'deferred' });
    s.clock.advanceTo(s.transport.nextVisibleAtMs()!);
    await s.deliver(newWorker);
    for (let hops = 0; runs.length === 0 && hops < 20; hops++) {
      s.clock.advanceTo(s.transport.nextVisibleAtMs()!);
      await s.deliver(newWorker);
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toBeGreaterThanOrEqual(runAtMs - 1_000);
  });
});

describe('the engine with a message due beyond 15 minutes', () => {
  it('re-sends it without running until it is due, keeping runAtMs while more than 15 minutes remain', async () => {
    const s = setup();
    const starts: JobContext[] = [];
    const job = defineJob({
      name: 'later',
      schema: z.object({}),
      perform: (_p, ctx) => void starts.push(ctx),
    });
    const engine = s.engineFor([job]);
    const start = s.clock.nowMs();
    const runAtMs = start + 40 * MINUTE;
    const { jobId } = await createClient({ transport: s.transport, clock: s.clock }).enqueue(
      job.with({}, { at: new Date(runAtMs) }),
    );
    expect(s.queued().map((q) => [q.envelope.runAtMs, q.delayMs])).toEqual([[runAtMs, 15 * MINUTE]]);

    s.clock.advance(15 * MINUTE);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'deferred' });
    expect(s.queued().map((q) => [q.envelope.runAtMs, q.delayMs])).toEqual([[runAtMs, 15 * MINUTE]]);

    s.clock.advance(15 * MINUTE);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'deferred' });
    // 10 minutes left: a plain SQS delay carries the rest, and runAtMs is no longer needed.
    expect(s.queued().map((q) => [q.envelope.runAtMs, q.delayMs])).toEqual([[undefined, 10 * MINUTE]]);

    s.clock.advance(10 * MINUTE);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'succeeded' });
    expect(s.clock.nowMs()).toBe(runAtMs);
    expect(starts.map((c) => [c.attempt, c.jobId])).toEqual([[1, jobId]]);
    expect(types(s.events)).toEqual(['deferred:not-due', 'deferred:not-due', 'started', 'succeeded']);
    const hops = s.events.filter((e) => e.type === 'deferred');
    expect(hops.map((e) => e.attempt)).toEqual([1, 1]);
  });

  it('does not count hops as deferrals or attempts', async () => {
    const s = setup();
    const job = defineJob({ name: 'later', schema: z.object({}), perform: () => undefined });
    const engine = s.engineFor([job]);
    await createClient({ transport: s.transport, clock: s.clock }).enqueue(job.with({}, { delay: '1h' }));
    s.clock.advance(15 * MINUTE);
    await s.deliver(engine);
    const [hop] = s.queued();
    expect(hop!.envelope.attempt).toBe(1);
    expect(hop!.envelope.deferrals).toBeUndefined();
  });

  it('runs a message that arrives up to a second early, and hops one that arrives earlier', async () => {
    const s = setup();
    let runs = 0;
    const job = defineJob({ name: 'j', schema: z.object({}), perform: () => void runs++ });
    const engine = s.engineFor([job]);
    const envelope = (runAtMs: number) =>
      JSON.stringify({
        v: 1,
        id: crypto.randomUUID(),
        job: 'j',
        payload: {},
        attempt: 1,
        createdAtMs: s.clock.nowMs(),
        enqueuedAtMs: s.clock.nowMs(),
        runAtMs,
      });
    await s.transport.send('default', [
      { body: envelope(s.clock.nowMs() + 1_000), attributes: {}, delaySeconds: 0 },
    ]);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'succeeded' });
    await s.transport.send('default', [
      { body: envelope(s.clock.nowMs() + 1_001), attributes: {}, delaySeconds: 0 },
    ]);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'deferred' });
    expect(runs).toBe(1);
    expect(s.queued().map((q) => q.delayMs)).toEqual([2_000]);
  });
});

describe('the engine with a redriven dead letter', () => {
  it.each<IdempotencyMode>(['tracked', 'exactly-once'])(
    'runs it as attempt 1 again under the same job id (idempotency %s)',
    async (idempotency) => {
      const s = setup();
      const seen: { attempt: number; jobId: string }[] = [];
      let broken = true;
      const job = defineJob({
        name: 'fragile',
        schema: z.object({}),
        idempotency,
        retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
        perform: (_p, ctx) => {
          seen.push({ attempt: ctx.attempt, jobId: ctx.jobId });
          if (broken) throw new Error('downstream is down');
        },
      });
      const engine = s.engineFor([job]);
      const { jobId } = await createClient({ transport: s.transport, clock: s.clock }).enqueue(job.with({}));
      await s.deliver(engine);
      s.clock.advance(1_000);
      expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'dead-lettered' });
      expect(await s.store.get(jobId, s.clock.nowMs())).toMatchObject({ status: 'dead', attempt: 2 });

      // The operator fixes the downstream and redrives: SQS gives the message a new id, the job keeps its own.
      broken = false;
      const [redriven] = s.transport.redrive('default');
      const message = await s.receiveOne();
      expect(message.messageId).toBe(redriven!.messageId);
      expect(JSON.parse(message.body).deadLetter).toMatchObject({ reason: 'retries-exhausted', attempts: 2 });
      expect(await engine.process(message)).toEqual({ action: 'ack', outcome: 'succeeded' });

      expect(seen).toEqual([
        { attempt: 1, jobId },
        { attempt: 2, jobId },
        { attempt: 1, jobId },
      ]);
      expect(await s.store.get(jobId, s.clock.nowMs())).toMatchObject({ status: 'succeeded', attempt: 1 });
    },
  );

  it('sends its next retry as attempt 2 without the old dead-letter story, keeping the failure history', async () => {
    const s = setup();
    const job = defineJob({
      name: 'fragile',
      schema: z.object({}),
      retry: { attempts: 3, backoff: { strategy: 'fixed', delay: '1s' } },
      perform: () => {
        throw new Error('still down');
      },
    });
    const engine = s.engineFor([job]);
    const now = s.clock.nowMs();
    const deadLetter: Envelope = {
      v: 1,
      id: 'job-7',
      job: 'fragile',
      payload: {},
      attempt: 3,
      createdAtMs: now - 3_600_000,
      enqueuedAtMs: now - 60_000,
      failures: [{ attempt: 3, atMs: now - 60_000, error: { name: 'Error', message: 'down' } }],
      deadLetter: {
        reason: 'retries-exhausted',
        queue: 'default',
        attempts: 3,
        firstFailedAtMs: now - 3_000_000,
        lastFailedAtMs: now - 60_000,
        error: { name: 'Error', message: 'down' },
      },
    };
    await s.transport.send('default', [
      { body: JSON.stringify(deadLetter), attributes: {}, delaySeconds: 0 },
    ]);
    expect(await s.deliver(engine)).toEqual({ action: 'ack', outcome: 'retry-scheduled' });
    const [retry] = s.queued();
    expect(retry!.envelope).toMatchObject({ id: 'job-7', attempt: 2, createdAtMs: now - 3_600_000 });
    expect(retry!.envelope).not.toHaveProperty('deadLetter');
    expect(retry!.envelope.failures?.map((f) => f.attempt)).toEqual([3, 1]);
  });
});

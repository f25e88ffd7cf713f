import { describe, expect, it } from 'vitest';
import { createClient, createRegistry, defineJob } from 'wharf-jobs';
import { createEngine } from 'wharf-jobs/adapters';
import { z } from 'zod';
import { createManualClock, createMemoryJobStore, createMemoryTransport } from '../../src/local/index';
import { createWorker } from '../../src/worker/index';

const tick = () => new Promise((r) => setTimeout(r, 20));

/** A job that runs until its signal aborts, and says why it stopped. */
function longJob(seen: { reasons: unknown[]; attempts: number[] }, honoursSignal: boolean) {
  return defineJob({
    name: 'crawl-site',
    schema: z.object({ site: z.string() }),
    idempotency: 'exactly-once',
    timeout: '1h',
    async perform(_p, ctx) {
      seen.attempts.push(ctx.attempt);
      await new Promise<void>((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          seen.reasons.push((ctx.signal.reason as { code?: string }).code);
          if (honoursSignal) reject(ctx.signal.reason);
        });
      });
    },
  });
}

describe('cancel of a running job', () => {
  it.each([
    ['honours', true],
    ['ignores', false],
  ])(
    'in the worker process: aborts ctx.signal at the next check, records it cancelled and never retries it, when the job %s its signal',
    async (_, honours) => {
      const clock = createManualClock();
      const transport = createMemoryTransport({ clock, queues: ['default'] });
      const store = createMemoryJobStore();
      const seen = { reasons: [] as unknown[], attempts: [] as number[] };
      const job = longJob(seen, honours);
      const registry = createRegistry([job]);
      const client = createClient({ transport, store, clock, registry });
      const worker = createWorker({
        registry,
        transport,
        consumer: transport,
        store,
        clock,
        waitTimeSeconds: 0,
      });
      const { jobId } = await client.enqueue(job.with({ site: 'a.example' }));
      const running = worker.run();
      for (let i = 0; i < 50 && seen.attempts.length === 0; i++) await tick();
      expect(seen.attempts).toEqual([1]);

      expect(await client.cancel(jobId)).toMatchObject({ outcome: 'signalled', jobId });
      expect(seen.reasons).toEqual([]);
      // The worker's check reads the record every 5 s while a run goes on.
      clock.advance(5_000);
      for (let i = 0; i < 50 && worker.inFlight > 0; i++) await tick();
      expect(seen.reasons).toEqual(['WHARF_CANCELLED']);
      expect(worker.inFlight).toBe(0);
      expect(await store.get(jobId, clock.nowMs())).toMatchObject({
        status: 'cancelled',
        lastError: { code: 'WHARF_CANCELLED' },
      });
      // Acknowledged, not retried: nothing is left on the queue, however long we wait.
      clock.advance(3_600_000);
      await tick();
      expect(transport.nextVisibleAtMs('default')).toBeUndefined();
      expect(seen.attempts).toEqual([1]);
      await worker.stop(0);
      await running;
    },
  );

  it('on an engine that does not watch (a Lambda invocation): the run goes on, and the answer said so', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['default'] });
    const store = createMemoryJobStore();
    let finish!: () => void;
    const job = defineJob({
      name: 'render',
      schema: z.object({}),
      idempotency: 'exactly-once',
      timeout: '1h',
      perform: () => new Promise<void>((r) => (finish = r)),
    });
    const registry = createRegistry([job]);
    const client = createClient({ transport, store, clock, registry });
    const engine = createEngine({ registry, transport, store, clock });
    const { jobId } = await client.enqueue(job.with({}));
    const [message] = await transport.receive('default', {
      maxMessages: 1,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 60,
    });
    const processing = engine.process(message!);
    await tick();
    const answer = await client.cancel(jobId);
    expect(answer).toMatchObject({ outcome: 'signalled' });
    expect(answer.outcome === 'signalled' && answer.reason).toMatch(/on Lambda the run goes on to its end/);
    clock.advance(60_000);
    finish();
    // It finished after all: its outcome stands.
    expect(await processing).toEqual({ action: 'ack', outcome: 'succeeded' });
    expect(await store.get(jobId, clock.nowMs())).toMatchObject({
      status: 'succeeded',
      cancelRequestedAtMs: expect.any(Number),
    });
  });

  it('closes the record of a run that crashed after cancel marked it: the claim of its return records it cancelled, unrun', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['default'] });
    const store = createMemoryJobStore();
    const ran: number[] = [];
    const job = defineJob({
      name: 'render',
      schema: z.object({}),
      idempotency: 'exactly-once',
      perform: (_p, ctx) => void ran.push(ctx.attempt),
    });
    const registry = createRegistry([job]);
    const client = createClient({ transport, store, clock, registry });
    const engine = createEngine({ registry, transport, store, clock });
    const { jobId } = await client.enqueue(job.with({}));
    // A run that claimed the job and then died (its worker was killed): the record is running, its lease live.
    await store.claim({
      jobId,
      jobName: 'render',
      queue: 'default',
      attempt: 1,
      nowMs: clock.nowMs(),
      leaseMs: 40_000,
      isRedrive: false,
      expiresAtSec: Math.ceil(clock.nowMs() / 1000) + 86_400,
    });
    expect(await client.cancel(jobId)).toMatchObject({ outcome: 'signalled' });
    clock.advance(41_000);
    const [message] = await transport.receive('default', {
      maxMessages: 1,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 60,
    });
    expect(await engine.process(message!)).toEqual({ action: 'ack', outcome: 'cancelled' });
    expect(ran).toEqual([]);
    expect(await store.get(jobId, clock.nowMs())).toMatchObject({
      status: 'cancelled',
      lastError: { code: 'WHARF_CANCELLED' },
    });
  });
});

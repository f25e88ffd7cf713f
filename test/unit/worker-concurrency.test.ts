import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createManualClock } from '../../src/local/manual-clock';
import { createMemoryTransport } from '../../src/transport/memory';
import { createWorker } from '../../src/worker/index';

const settle = async (rounds = 20) => {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('createWorker', () => {
  it('keeps the concurrency limit across all the queues it polls', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['a', 'b', 'c'] });
    let inFlight = 0;
    let most = 0;
    let finished = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const perform = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await gate;
      inFlight--;
      finished++;
    };
    const jobs = ['a', 'b', 'c'].map((queue) =>
      defineJob({ name: `on-${queue}`, queue, schema: z.object({}), idempotency: 'off', perform }),
    );
    const client = createClient({ transport, clock });
    await client.enqueueMany(jobs.flatMap((job) => Array.from({ length: 4 }, () => job.with({}))));
    // The memory transport answers at once even when empty; pause like a long poll so an idle worker yields.
    const consumer = {
      ...transport,
      receive: async (...args: Parameters<typeof transport.receive>) => {
        const messages = await transport.receive(...args);
        if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        return messages;
      },
    };
    const worker = createWorker({
      registry: createRegistry(jobs),
      transport,
      consumer,
      clock,
      concurrency: 2,
      waitTimeSeconds: 0,
      onWarning: () => undefined,
    });
    const running = worker.run();
    await settle();
    expect(most).toBe(2);
    expect(worker.inFlight).toBe(2);
    release();
    for (let i = 0; i < 200 && finished < 12; i++) await new Promise((r) => setTimeout(r, 5));
    expect(finished).toBe(12);
    expect(most).toBe(2);
    const stopped = worker.stop(1_000);
    clock.advance(1_000);
    await stopped;
    await running;
    // Every message was deleted once its job was done (stop flushes the deletes still waiting).
    expect(transport.stats('a')).toMatchObject({ visible: 0, inFlight: 0 });
    expect(transport.nextVisibleAtMs()).toBeUndefined();
  });
});

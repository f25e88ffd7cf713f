import { describe, expect, it } from 'vitest';
import { createRegistry, defineJob } from 'wharf-jobs';
import { createEngine } from 'wharf-jobs/adapters';
import { z } from 'zod';
import { createManualClock, createMemoryJobStore, createMemoryTransport } from '../../src/local/index';
import { createWorker } from '../../src/worker/index';

describe('a run abandoned because the worker is shutting down', () => {
  it('aborts ctx.signal, gives the lease back, releases the message, and uses no attempt', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock });
    const store = createMemoryJobStore();
    const seen: { attempt: number; reason?: unknown }[] = [];
    let finish = false;
    const job = defineJob({
      name: 'long',
      schema: z.object({}),
      idempotency: 'exactly-once',
      timeout: '1h',
      async perform(_p, ctx) {
        const entry: { attempt: number; reason?: unknown } = { attempt: ctx.attempt };
        seen.push(entry);
        if (finish) return;
        // Ignores its signal on purpose: the engine must not wait for it.
        ctx.signal.addEventListener('abort', () => {
          entry.reason = (ctx.signal.reason as { code?: string }).code;
        });
        await new Promise(() => undefined);
      },
    });
    const engine = createEngine({ registry: createRegistry([job]), transport, store, clock });
    const [sent] = await transport.send('default', [
      {
        body: JSON.stringify({
          v: 1,
          id: 'j1',
          job: 'long',
          payload: {},
          attempt: 1,
          createdAtMs: 0,
          enqueuedAtMs: 0,
        }),
        attributes: {},
        delaySeconds: 0,
      },
    ]);
    expect(sent?.ok).toBe(true);
    const [message] = await transport.receive('default', {
      maxMessages: 1,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 30,
    });
    const shutdown = new AbortController();
    const processing = engine.process(message!, { signal: shutdown.signal });
    await new Promise((r) => setTimeout(r, 10));
    shutdown.abort();
    expect(await processing).toEqual({ action: 'release', reason: 'worker shutting down' });
    expect(seen).toEqual([{ attempt: 1, reason: 'WHARF_SHUTDOWN' }]);
    expect(await store.get('j1', clock.nowMs())).toMatchObject({ status: 'queued', nextAttempt: 1 });

    finish = true;
    expect(await engine.process(message!)).toEqual({ action: 'ack', outcome: 'succeeded' });
    expect(seen.at(-1)).toEqual({ attempt: 1 });
    expect(await store.get('j1', clock.nowMs())).toMatchObject({ status: 'succeeded', attempt: 1, fence: 2 });
  });
});

describe('a worker without long polling', () => {
  it('pauses after an empty receive instead of spinning', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock });
    let receives = 0;
    const counting = {
      ...transport,
      receive: (...args: Parameters<typeof transport.receive>) => {
        receives++;
        return transport.receive(...args);
      },
    };
    const job = defineJob({
      name: 'noop',
      schema: z.object({}),
      idempotency: 'off',
      perform: () => undefined,
    });
    const worker = createWorker({
      registry: createRegistry([job]),
      transport,
      consumer: counting,
      clock,
      waitTimeSeconds: 0,
      idlePauseMs: 1000,
    });
    const running = worker.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(receives).toBe(1);
    clock.advance(1000);
    await new Promise((r) => setTimeout(r, 50));
    expect(receives).toBe(2);
    await worker.stop(0);
    await running;
  });
});

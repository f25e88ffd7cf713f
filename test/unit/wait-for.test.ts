import { describe, expect, it } from 'vitest';
import { createClient, createRegistry, DiscardJobError, defineJob, hasCode } from 'wharf-jobs';
import { z } from 'zod';
import { pollDelayMs, WAIT_POLL } from '../../src/client/wait-for';
import {
  createLocalEngine,
  createManualClock,
  createMemoryJobStore,
  createMemoryTransport,
} from '../../src/local/index';

const order = z.object({ orderId: z.string() });

const priceOrder = defineJob({
  name: 'price-order',
  schema: order,
  retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
  perform({ orderId }) {
    if (orderId === 'broken') throw new TypeError('no price list');
    if (orderId === 'gone') throw new DiscardJobError('the order was deleted');
    return { orderId, totalCents: 4200 };
  },
});
const fireAndForget = defineJob({
  name: 'ping-metrics',
  schema: order,
  idempotency: 'off',
  perform: () => undefined,
});
const countVisit = defineJob({
  name: 'count-visit',
  schema: order,
  idempotency: 'off',
  jobId: ({ orderId }) => orderId,
  perform: () => undefined,
});
const registry = createRegistry([priceOrder, fireAndForget, countVisit]);

describe('the waitFor poll backoff', () => {
  it('doubles from 100 ms to a cap of 2 s, each pause between half its step and the whole step', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((n) => pollDelayMs(n, () => 1))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000, 2000,
    ]);
    expect([0, 1, 4, 5, 9].map((n) => pollDelayMs(n, () => 0))).toEqual([50, 100, 800, 1000, 1000]);
    expect(WAIT_POLL).toEqual({ firstMs: 100, capMs: 2000 });
  });

  it('reads a record at most 35 times in a 30 s wait (the shortest pauses), as the README says', async () => {
    const clock = createManualClock();
    const store = createMemoryJobStore();
    let reads = 0;
    const counting = {
      ...store,
      get: (id: string, now: number) => {
        reads++;
        return store.get(id, now);
      },
    };
    const client = createClient({
      transport: createMemoryTransport({ clock, queues: ['default'] }),
      clock,
      store: counting,
    });
    const waiting = client.waitFor('never-enqueued', { timeout: '30s' });
    // Moves time to each pause's end as soon as the waiter sleeps, the shortest pause being random() = 0.
    for (let i = 0; i < 200 && reads < 100; i++) {
      await new Promise((r) => setTimeout(r, 0));
      const next = clock.nextWakeMs();
      if (next !== undefined) clock.advanceTo(next);
    }
    const outcome = await waiting;
    expect(outcome).toMatchObject({ status: 'timeout', last: undefined, waitedMs: 30_000 });
    expect(reads).toBe(outcome.status === 'timeout' ? outcome.polls : -1);
    expect(reads).toBeLessThanOrEqual(35);
    expect(reads).toBeGreaterThanOrEqual(20);
  });
});

describe('client.waitFor on the embedded engine', () => {
  const setup = () => {
    const clock = createManualClock(Date.UTC(2026, 11, 1, 12));
    return createLocalEngine({ registry, clock });
  };

  it('returns the result of a job that succeeds while it waits, typed by the job definition', async () => {
    const engine = setup();
    const { jobId } = await engine.client.enqueue(priceOrder.with({ orderId: 'o-1' }));
    const waiting = engine.client.waitFor(priceOrder, jobId, { timeout: '30s' });
    await engine.runUntilIdle();
    const outcome = await waiting;
    expect(outcome).toMatchObject({
      status: 'succeeded',
      jobId,
      result: { orderId: 'o-1', totalCents: 4200 },
    });
    // The overload types the result as perform returns it.
    if (outcome.status === 'succeeded') expect(outcome.result?.totalCents).toBe(4200);
  });

  it('waits through a fast-forward on the default clock, and its pauses never hold up the run', async () => {
    const engine = createLocalEngine({ registry });
    const { jobId } = await engine.client.enqueue(priceOrder.with({ orderId: 'o-ff' }, { delay: '10m' }));
    const waiting = engine.client.waitFor(priceOrder, jobId, { timeout: '1h' });
    await engine.runUntilIdle();
    expect(await waiting).toMatchObject({
      status: 'succeeded',
      result: { orderId: 'o-ff', totalCents: 4200 },
    });
  });

  it('returns at once for a job that ended before the wait began', async () => {
    const engine = setup();
    const enqueued = await engine.client.enqueue(priceOrder.with({ orderId: 'o-2' }));
    await engine.runUntilIdle();
    expect(await engine.client.waitFor(enqueued, { timeout: '0s' })).toMatchObject({
      status: 'succeeded',
      result: { orderId: 'o-2', totalCents: 4200 },
    });
  });

  it('returns dead with the last error after the retries, and discarded with the discard error', async () => {
    const engine = setup();
    const broken = await engine.client.enqueue(priceOrder.with({ orderId: 'broken' }));
    const gone = await engine.client.enqueue(priceOrder.with({ orderId: 'gone' }));
    const waits = [engine.client.waitFor(broken.jobId), engine.client.waitFor(gone.jobId)];
    await engine.runUntilIdle();
    const [dead, discarded] = await Promise.all(waits);
    expect(dead).toMatchObject({
      status: 'dead',
      reason: 'no price list',
      error: { name: 'TypeError', message: 'no price list' },
      record: { attempt: 2 },
    });
    expect(discarded).toMatchObject({
      status: 'discarded',
      reason: 'the order was deleted',
      error: { code: 'WHARF_DISCARD' },
    });
  });

  it('times out on the engine clock with the last status seen, and says when no record was seen', async () => {
    const clock = createManualClock();
    const engine = createLocalEngine({ registry, clock });
    const later = await engine.client.enqueue(priceOrder.with({ orderId: 'o-3' }, { delay: '10m' }));
    const waiting = engine.client.waitFor(later.jobId, { timeout: '30s' });
    const unknown = engine.client.waitFor('price-order-no-such-id', { timeout: '30s' });
    for (let i = 0; i < 40; i++) {
      await new Promise((r) => setTimeout(r, 0));
      clock.advance(1_000);
    }
    const [outcome, none] = await Promise.all([waiting, unknown]);
    // A job delayed by 10 minutes has no record yet in tracked mode: it is still on its queue.
    expect(outcome).toMatchObject({ status: 'timeout', jobId: later.jobId, last: undefined });
    expect(none).toMatchObject({ status: 'timeout', last: undefined });
    if (none.status === 'timeout') {
      expect(none.reason).toContain('no record of it was seen');
      expect(none.reason).toContain('"ping-metrics", "count-visit" have idempotency \'off\'');
    }
    // The job itself still runs when its time comes.
    await engine.runUntilIdle();
    expect(await engine.client.waitFor(later.jobId, { timeout: '0s' })).toMatchObject({
      status: 'succeeded',
    });
  });

  it('reports the last status seen when a job is retrying at the timeout', async () => {
    const flaky = defineJob({
      name: 'flaky-sync',
      schema: order,
      retry: { attempts: 3, backoff: { strategy: 'fixed', delay: '1h' } },
      perform: () => {
        throw new Error('partner down');
      },
    });
    const engine = createLocalEngine({ registry: createRegistry([flaky]), clock: createManualClock() });
    const { jobId } = await engine.client.enqueue(flaky.with({ orderId: 'x' }));
    await engine.tick();
    const outcome = await engine.client.waitFor(jobId, { timeout: '0s' });
    expect(outcome).toMatchObject({ status: 'timeout', last: 'retrying', polls: 1 });
  });

  it('stops at once with the signal reason, during a pause or before the first read', async () => {
    const engine = setup();
    const later = await engine.client.enqueue(priceOrder.with({ orderId: 'o-4' }, { delay: '10m' }));
    const controller = new AbortController();
    const waiting = engine.client.waitFor(later.jobId, { timeout: '1h', signal: controller.signal });
    await new Promise((r) => setTimeout(r, 0));
    controller.abort(new Error('the caller went away'));
    await expect(waiting).rejects.toThrow('the caller went away');
    await expect(
      engine.client.waitFor(later.jobId, { signal: AbortSignal.abort(new Error('already gone')) }),
    ).rejects.toThrow('already gone');
  });

  it("refuses a job with idempotency 'off' (no record to read), and a client without a store", async () => {
    const engine = setup();
    const { jobId } = await engine.client.enqueue(fireAndForget.with({ orderId: 'o-5' }));
    const refusal = await engine.client.waitFor(fireAndForget, jobId).catch((e: unknown) => e);
    expect(hasCode(refusal, 'WHARF_INVALID_OPTIONS')).toBe(true);
    expect(String(refusal)).toContain("idempotency 'off'");
    // Without the definition, an id the registry traces to an 'off' job (its jobId function's) is refused too.
    const traced = await engine.client
      .waitFor(countVisit.jobIdFor({ orderId: 'o-6' }))
      .catch((e: unknown) => e);
    expect(hasCode(traced, 'WHARF_INVALID_OPTIONS')).toBe(true);
    const bare = createClient({ transport: engine.transport });
    const noStore = await bare.waitFor(jobId).catch((e: unknown) => e);
    expect(hasCode(noStore, 'WHARF_CONFIG')).toBe(true);
  });
});

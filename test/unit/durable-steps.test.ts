import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { hasCode } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { callsDurableSteps } from '../../src/job/steps-option';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { runJob } from '../../src/testing/run-job';

const START = Date.parse('2026-02-02T09:00:00Z');
const HOUR = 3_600_000;

describe('durable steps and sleeps', () => {
  let effects: string[];
  let clock: ManualClock;
  let engine: LocalEngine | undefined;
  beforeEach(() => {
    effects = [];
    clock = createManualClock(START);
  });
  afterEach(() => engine?.close());

  const fulfil = defineJob({
    name: 'fulfil-order',
    schema: z.object({ orderId: z.string() }),
    idempotency: 'exactly-once',
    async perform({ orderId }, ctx) {
      const charge = await ctx.step('charge', () => {
        effects.push(`charge ${orderId} attempt ${ctx.attempt}`);
        return { id: `ch-${orderId}`, at: new Date(START) };
      });
      await ctx.step('reserve', () => void effects.push(`reserve ${orderId}`));
      await ctx.sleep('2h');
      const shipped = await ctx.step('ship', () => {
        effects.push(`ship ${charge.id} attempt ${ctx.attempt}`);
        return `shipped ${charge.id}`;
      });
      return { shipped, chargedAt: charge.at };
    },
  });

  it('runJob: interrupted after a step, resumed, each step runs once; the sleep uses no attempt', async () => {
    const first = await runJob(fulfil, { orderId: 'o1' }, { interruptAfterStep: 'reserve', clock });
    expect(first).toMatchObject({ outcome: 'interrupted', step: 'reserve' });
    expect(first.steps).toEqual({
      charge: { id: 'ch-o1', at: new Date(START).toISOString() },
      reserve: undefined,
    });
    expect(effects).toEqual(['charge o1 attempt 1', 'reserve o1']);

    const second = await first.resume();
    expect(second).toMatchObject({ outcome: 'sleeping', wakeAtMs: START + 2 * HOUR });
    expect(effects).toEqual(['charge o1 attempt 1', 'reserve o1']); // nothing ran again

    // Woken too early (a duplicate of the message before the sleep): it sleeps to the same wake time.
    clock.advance(HOUR);
    expect(await second.resume()).toMatchObject({ outcome: 'sleeping', wakeAtMs: START + 2 * HOUR });

    clock.advance(HOUR);
    const third = await second.resume();
    expect(third).toMatchObject({
      outcome: 'succeeded',
      result: { shipped: 'shipped ch-o1', chargedAt: new Date(START).toISOString() },
    });
    expect(effects).toEqual(['charge o1 attempt 1', 'reserve o1', 'ship ch-o1 attempt 1']);
  });

  it('a failed attempt retries from the first step not completed', async () => {
    let failShip = true;
    const job = defineJob({
      name: 'two-steps',
      schema: z.object({}),
      async perform(_p, ctx) {
        await ctx.step('one', () => void effects.push(`one ${ctx.attempt}`));
        await ctx.step('two', () => {
          effects.push(`two ${ctx.attempt}`);
          if (failShip) throw new Error('warehouse down');
        });
      },
    });
    const first = await runJob(job, {}, { clock });
    expect(first.outcome).toBe('retry');
    failShip = false;
    const second = await first.resume();
    expect(second.outcome).toBe('succeeded');
    expect(effects).toEqual(['one 1', 'two 1', 'two 2']);
  });

  it('on the embedded engine: the sleep continues after the clock passes it, attempt unchanged', async () => {
    const events: JobEvent[] = [];
    engine = createLocalEngine({
      registry: createRegistry([fulfil]),
      clock,
      onEvent: (e) => events.push(e),
      installAsDefault: true,
    });
    const { jobId } = await fulfil.performLater({ orderId: 'o2' });
    await engine.runUntilIdle();
    expect(effects).toEqual(['charge o2 attempt 1', 'reserve o2', 'ship ch-o2 attempt 1']);
    expect(clock.nowMs()).toBeGreaterThanOrEqual(START + 2 * HOUR);
    const sleeping = events.find((e) => e.type === 'sleeping');
    expect(sleeping).toMatchObject({ jobId, attempt: 1, untilMs: START + 2 * HOUR });
    const record = await engine.store.get(jobId, clock.nowMs());
    expect(record).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(Object.keys(record?.steps ?? {})).toEqual(['charge', 'reserve', '~sleep:1', 'ship']);
    expect(
      events.filter((e) => e.type === 'step' && e.replayed).map((e) => (e as { name: string }).name),
    ).toEqual(['charge', 'reserve']);
  });

  it('refuses what cannot work, with a clear error', async () => {
    const twice = defineJob({
      name: 'same-name',
      schema: z.object({}),
      async perform(_p, ctx) {
        await ctx.step('a', () => 1);
        await ctx.step('a', () => 2);
      },
    });
    const run = await runJob(twice, {});
    expect(run).toMatchObject({ outcome: 'dead', reason: 'permanent-error' });
    expect(hasCode((run as { error: unknown }).error, 'WHARF_STEP')).toBe(true);
    expect(String((run as { error: Error }).error.message)).toContain('ran twice in one run');

    const big = defineJob({
      name: 'big-step',
      schema: z.object({}),
      steps: { maxResultBytes: 10 },
      perform: (_p, ctx) => ctx.step('big', () => 'x'.repeat(20)),
    });
    const tooBig = await runJob(big, {});
    expect(tooBig).toMatchObject({ outcome: 'dead', reason: 'permanent-error' });
    expect(String((tooBig as { error: Error }).error.message)).toContain("over the job's limit of 10");

    expect(() =>
      defineJob({
        name: 'off-steps',
        schema: z.object({}),
        idempotency: 'off',
        perform: async (_p, ctx) => ctx.step('a', () => 1),
      }),
    ).toThrow(/durable steps and sleeps keep their results on the job record/);
    expect(() =>
      defineJob({
        name: 'off-declared',
        schema: z.object({}),
        idempotency: 'off',
        steps: {},
        perform: () => 1,
      }),
    ).toThrow(/idempotency: durable steps/);
    await expect(fulfil.performNow({ orderId: 'o3' })).rejects.toThrow(/only a queued run can do/);
  });

  it('reads a perform as calling steps in the forms people write', () => {
    expect(callsDurableSteps(async (_p: unknown, ctx: { step: () => void }) => ctx.step())).toBe(true);
    expect(callsDurableSteps(async (_p: unknown, { sleep }: { sleep: () => void }) => sleep())).toBe(true);
    expect(callsDurableSteps((a: unknown, t: { sleepUntil: () => void }) => [a, t.sleepUntil()])).toBe(true);
    expect(callsDurableSteps(async (_p: unknown, ctx: { progress: () => void }) => ctx.progress())).toBe(
      false,
    );
    expect(callsDurableSteps(async (p: { step: () => void }) => p.step())).toBe(false);
  });
});

describe('a durable sleep on a FIFO queue (the embedded engine)', () => {
  it('waits in place, keeps its group behind it, and continues with the same attempt, past 12 hours too', async () => {
    const clock = createManualClock(START);
    const runs: string[] = [];
    const step = defineJob({
      name: 'fifo-sleeper',
      queue: 'orders',
      schema: z.object({ orderId: z.string(), n: z.number() }),
      group: (p) => p.orderId,
      async perform({ orderId, n }, ctx) {
        await ctx.step('before', () => void runs.push(`${orderId}/${n} before, attempt ${ctx.attempt}`));
        if (n === 1) await ctx.sleep('20h');
        await ctx.step('after', () => void runs.push(`${orderId}/${n} after, attempt ${ctx.attempt}`));
      },
    });
    const engine = createLocalEngine({ registry: createRegistry([step]), clock, installAsDefault: true });
    try {
      await step.performLater({ orderId: 'o1', n: 1 });
      await step.performLater({ orderId: 'o1', n: 2 });
      await engine.runUntilIdle();
      expect(runs).toEqual([
        'o1/1 before, attempt 1',
        'o1/1 after, attempt 1', // the group's next job waited for the sleeper
        'o1/2 before, attempt 1',
        'o1/2 after, attempt 1',
      ]);
      expect(clock.nowMs()).toBeGreaterThanOrEqual(START + 20 * HOUR);
    } finally {
      engine.close();
    }
  });
});

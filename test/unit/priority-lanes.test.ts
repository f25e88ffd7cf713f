import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { configFromEnv, queuesFromEnv } from '../../src/config/env-config';
import { defineJob } from '../../src/define-job';
import { LaneTurns } from '../../src/job/lane-turns';
import { type LaneMap, resolveLanes } from '../../src/job/lanes';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine } from '../../src/local/local-engine';
import { createManualClock } from '../../src/local/manual-clock';
import { createMemoryJobStore } from '../../src/store/memory-store';
import { createMemoryTransport } from '../../src/transport/memory';
import { createWorker } from '../../src/worker/index';

const weightsArb = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 2, maxLength: 6 });

describe('LaneTurns', () => {
  it('gives each lane exactly its weight of every round of turns when every lane is full', () => {
    fc.assert(
      fc.property(weightsArb, fc.integer({ min: 1, max: 8 }), (weights, rounds) => {
        const turns = new LaneTurns(weights);
        const total = weights.reduce((a, b) => a + b, 0);
        const counts = weights.map(() => 0);
        for (let t = 0; t < rounds * total; t++) counts[turns.next()[0]!]!++;
        expect(counts).toEqual(weights.map((w) => w * rounds));
      }),
    );
  });

  it('never keeps a lane waiting longer than one round of turns', () => {
    fc.assert(
      fc.property(weightsArb, (weights) => {
        const turns = new LaneTurns(weights);
        const total = weights.reduce((a, b) => a + b, 0);
        const last = weights.map(() => -1);
        for (let t = 0; t < 5 * total; t++) {
          const chosen = turns.next()[0]!;
          expect(t - last[chosen]!).toBeLessThanOrEqual(total);
          last[chosen] = t;
        }
      }),
    );
  });

  it('spreads the turns out instead of serving a lane in one run (6:3:1)', () => {
    const turns = new LaneTurns([6, 3, 1]);
    const names = 'hdl';
    const order = Array.from({ length: 10 }, () => names[turns.next()[0]!]).join('');
    expect(order).toBe('hdhhdhlhdh');
  });

  it('lists every other lane after the chosen one, highest weight first, for a consumer to fall back on', () => {
    fc.assert(
      fc.property(weightsArb, (weights) => {
        const order = new LaneTurns(weights).next();
        expect([...order].sort()).toEqual(weights.map((_, i) => i));
        const rest = order.slice(1).map((i) => weights[i]!);
        expect(rest).toEqual([...rest].sort((a, b) => b - a));
      }),
    );
  });

  it('gives an empty lane’s turns away, so no turn idles while a lane has work, and the others keep their ratio', () => {
    fc.assert(
      fc.property(weightsArb, fc.nat(), (weights, pick) => {
        const empty = pick % weights.length;
        const turns = new LaneTurns(weights);
        const total = weights.reduce((a, b) => a + b, 0);
        const served = weights.map(() => 0);
        for (let t = 0; t < 4 * total; t++) {
          // A consumer takes from the first lane in the turn's order that has work.
          const taken = turns.next().find((i) => i !== empty)!;
          served[taken]!++;
        }
        expect(served[empty]).toBe(0);
        expect(served.reduce((a, b) => a + b, 0)).toBe(4 * total);
        // Every other lane gets at least its own turns, and the empty lane's go to the highest weight.
        for (const [i, w] of weights.entries())
          if (i !== empty) expect(served[i]).toBeGreaterThanOrEqual(4 * w);
        const heir = weights
          .map((w, i) => ({ w, i }))
          .filter(({ i }) => i !== empty)
          .sort((a, b) => b.w - a.w || a.i - b.i)[0]!.i;
        expect(served[heir]).toBe(4 * (weights[heir]! + weights[empty]!));
      }),
    );
  });

  it('refuses weights that are not positive integers', () => {
    expect(() => new LaneTurns([3, 0])).toThrow(RangeError);
    expect(() => new LaneTurns([])).toThrow(RangeError);
  });
});

describe('resolveLanes', () => {
  it('takes the lane named "default" as the default lane, else the first, unless one is named', () => {
    const problems: string[] = [];
    expect(resolveLanes('q', { lanes: { high: 2, default: 1 } }, problems)?.defaultLane).toBe('default');
    expect(resolveLanes('q', { lanes: { high: 2, low: 1 } }, problems)?.defaultLane).toBe('high');
    expect(resolveLanes('q', { lanes: { high: 2, low: 1 }, defaultLane: 'low' }, problems)?.defaultLane).toBe(
      'low',
    );
    expect(problems).toEqual([]);
    expect(resolveLanes('q', { defaultLane: 'low' }, problems)).toBeUndefined();
    expect(problems).toEqual(['q.defaultLane: given without lanes; declare lanes too']);
  });
});

const lanes: LaneMap = {
  default: {
    lanes: [
      { name: 'high', weight: 6 },
      { name: 'default', weight: 3 },
      { name: 'low', weight: 1 },
    ],
    defaultLane: 'default',
  },
};

function world() {
  const clock = createManualClock();
  const transport = createMemoryTransport({
    clock,
    queues: ['default', 'default/high', 'default/low', 'emails'],
  });
  const report = defineJob({ name: 'report', schema: z.object({ n: z.number() }), perform: () => undefined });
  const digest = defineJob({
    name: 'digest',
    priority: 'low',
    schema: z.object({}),
    perform: () => undefined,
  });
  const mail = defineJob({ name: 'mail', queue: 'emails', schema: z.object({}), perform: () => undefined });
  const registry = createRegistry([report, digest, mail]);
  const client = createClient({ transport, clock, registry, lanes });
  return { clock, transport, client, report, digest, mail, registry };
}

describe('enqueueing to a lane', () => {
  it('sends to the lane the enqueue names, else the job’s own, else the queue’s default lane', async () => {
    const { transport, client, report, digest } = world();
    const high = await client.enqueue(report.with({ n: 1 }, { priority: 'high' }));
    const plain = await client.enqueue(report.with({ n: 2 }));
    const own = await client.enqueue(digest.with({}));
    const overridden = await client.enqueue(digest.with({}, { priority: 'default' }));
    expect([high.lane, plain.lane, own.lane, overridden.lane]).toEqual(['high', 'default', 'low', 'default']);
    expect(high.queue).toBe('default');
    expect(transport.peek('default/high').map((m) => JSON.parse(m.body).id)).toEqual([high.jobId]);
    expect(transport.peek('default/low').map((m) => JSON.parse(m.body).id)).toEqual([own.jobId]);
    expect(transport.peek('default').map((m) => JSON.parse(m.body).id)).toEqual([
      plain.jobId,
      overridden.jobId,
    ]);
  });

  it('refuses a lane the queue does not declare, listing its lanes, and sends nothing', async () => {
    const { transport, client, report } = world();
    const attempt = client.enqueue(report.with({ n: 1 }, { priority: 'urgent' }));
    await expect(attempt).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      problems: ['"priority" "urgent": queue "default" has no such lane (its lanes: high, default, low)'],
    });
    expect(transport.stats('default').visible + transport.stats('default/high').visible).toBe(0);
  });

  it('refuses a priority on a queue without lanes, and a bulk enqueue holding one sends none', async () => {
    const { transport, client, report, mail } = world();
    await expect(client.enqueue(mail.with({}, { priority: 'high' }))).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringContaining('queue "emails" declares no lanes'),
    });
    await expect(
      client.enqueueMany([report.with({ n: 1 }, { priority: 'high' }), mail.with({}, { priority: 'low' })]),
    ).rejects.toMatchObject({ code: 'WHARF_INVALID_OPTIONS', message: expect.stringContaining('#1 mail') });
    expect(transport.peek('default/high')).toEqual([]);
  });

  it('refuses a job’s own priority when the client knows no lanes for its queue', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock });
    const digest = defineJob({
      name: 'digest',
      priority: 'low',
      schema: z.object({}),
      perform: () => undefined,
    });
    await expect(createClient({ transport, clock }).enqueue(digest.with({}))).rejects.toThrow(
      /the job's "priority" "low": queue "default" declares no lanes/,
    );
  });
});

describe('lanes in the environment contract', () => {
  const env = {
    WHARF_LANES_DEFAULT: 'default:3,high:6,low:1',
    WHARF_QUEUE_URL_DEFAULT: 'http://localhost:5000/123456789012/q',
    WHARF_DLQ_URL_DEFAULT: 'http://localhost:5000/123456789012/q-dlq',
    WHARF_QUEUE_URL_DEFAULT__HIGH: 'http://localhost:5000/123456789012/q-high',
    WHARF_DLQ_URL_DEFAULT__HIGH: 'http://localhost:5000/123456789012/q-high-dlq',
    WHARF_QUEUE_URL_DEFAULT__LOW: 'http://localhost:5000/123456789012/q-low',
    WHARF_DLQ_URL_DEFAULT__LOW: 'http://localhost:5000/123456789012/q-low-dlq',
  };

  it('reads the lanes and each lane’s URLs under its address', () => {
    const config = configFromEnv(['default'], env);
    // The default lane comes first in the variable, so it says which it is.
    expect(config.lanes).toEqual({
      default: {
        lanes: [
          { name: 'default', weight: 3 },
          { name: 'high', weight: 6 },
          { name: 'low', weight: 1 },
        ],
        defaultLane: 'default',
      },
    });
    expect(Object.keys(config.queues)).toEqual(['default', 'default/high', 'default/low']);
    expect(config.queues['default/low']).toEqual({
      url: env.WHARF_QUEUE_URL_DEFAULT__LOW,
      deadLetterUrl: env.WHARF_DLQ_URL_DEFAULT__LOW,
    });
    // An operator without the registry sees the queue and its lanes, not a queue named "default--high".
    expect(Object.keys(queuesFromEnv(env))).toEqual(['default', 'default/high', 'default/low']);
  });

  it('names every missing lane variable, and a malformed lanes value', () => {
    const { WHARF_DLQ_URL_DEFAULT__LOW: _dropped, ...partial } = env;
    expect(() => configFromEnv(['default'], partial)).toThrow(
      /Missing environment variables: WHARF_DLQ_URL_DEFAULT__LOW\./,
    );
    expect(() => configFromEnv(['default'], { ...env, WHARF_LANES_DEFAULT: 'high=6' })).toThrow(
      /WHARF_LANES_DEFAULT="high=6": expected two or more lanes as name:weight/,
    );
  });
});

describe('the worker process on a queue with lanes', () => {
  it('takes from the lanes by weight while each has a backlog, and from the others once one runs dry', async () => {
    const { clock, transport, client, report, registry } = world();
    const perLane = 12;
    for (const priority of ['high', 'default', 'low'])
      await client.enqueueMany(
        Array.from({ length: perLane }, (_, n) =>
          report.with({ n }, { priority, jobId: `${priority}-${n}` }),
        ),
      );
    const order: string[] = [];
    const consumer = {
      ...transport,
      receive: async (...args: Parameters<typeof transport.receive>) => {
        const messages = await transport.receive(...args);
        // Like a long poll: an idle worker yields instead of spinning on an empty memory queue.
        if (messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        else order.push(...messages.map(() => args[0]));
        return messages;
      },
    };
    // One job at a time, so each receive takes one message and the receive order is the run order.
    const worker = createWorker({
      registry,
      transport,
      consumer,
      clock,
      store: createMemoryJobStore(),
      lanes,
      concurrency: 1,
      waitTimeSeconds: 0,
      onWarning: () => undefined,
    });
    const running = worker.run();
    for (let i = 0; i < 400 && order.length < 3 * perLane; i++) await new Promise((r) => setTimeout(r, 2));
    await worker.stop(1000);
    await running;
    expect(order).toHaveLength(3 * perLane);
    const lane = (address: string) => (address === 'default' ? 'd' : address === 'default/high' ? 'h' : 'l');
    // Two rounds of ten by 6:3:1 while every lane is full: the high lane's jobs go first in proportion.
    expect(order.slice(0, 10).map(lane).join('')).toBe('hdhhdhlhdh');
    expect(order.slice(10, 20).map(lane).join('')).toBe('hdhhdhlhdh');
    // high (12 jobs) is empty after turn 20: its turns go to the next lane by weight, default, until it is empty
    // too (its 6 left take the next six turns), then everything goes to low.
    expect(order.slice(20).map(lane).join('')).toBe(`${'d'.repeat(6)}${'l'.repeat(10)}`);
  });
});

describe('the embedded engine on a queue with lanes', () => {
  const lanesOption = { default: { lanes: { high: 6, default: 3, low: 1 } } };

  function engineWorld(concurrency = 1) {
    const ran: string[] = [];
    const events: { type: string; queue: string; jobName?: string }[] = [];
    const work = defineJob({
      name: 'work',
      idempotency: 'off',
      schema: z.object({ lane: z.string() }),
      perform: ({ lane }) => {
        ran.push(lane);
      },
    });
    const flaky = defineJob({
      name: 'flaky',
      priority: 'low',
      retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '5s' } },
      schema: z.object({}),
      perform: (_p, ctx) => {
        if (ctx.attempt === 1) throw new Error('first attempt fails');
      },
    });
    const engine = createLocalEngine({
      registry: createRegistry([work, flaky]),
      queues: lanesOption,
      concurrency,
      onEvent: (e) => events.push(e),
    });
    return { engine, work, flaky, ran, events };
  }

  it('delivers the lanes by the same weights as the worker process', async () => {
    const { engine, work, ran } = engineWorld();
    for (const lane of ['high', 'default', 'low'])
      await engine.client.enqueueMany(
        Array.from({ length: 12 }, () => work.with({ lane }, { priority: lane })),
      );
    await engine.runUntilIdle();
    const letters = ran.map((lane) => lane[0]).join('');
    expect(letters).toBe(`hdhhdhlhdh${'hdhhdhlhdh'}${'d'.repeat(6)}${'l'.repeat(10)}`);
  });

  it('keeps a retry in its lane, and refuses a lane the queue does not declare', async () => {
    const { engine, flaky, events } = engineWorld();
    await engine.client.enqueue(flaky.with({}));
    await engine.runUntilIdle();
    expect(events.filter((e) => e.jobName === 'flaky').map((e) => `${e.type}@${e.queue}`)).toEqual([
      'started@default/low',
      'retrying@default/low',
      'started@default/low',
      'succeeded@default/low',
    ]);
    await expect(engine.client.enqueue(flaky.with({}, { priority: 'urgent' }))).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringContaining('(its lanes: high, default, low)'),
    });
  });

  it('refuses a bad lane declaration, every problem at once', () => {
    expect(() =>
      createLocalEngine({
        registry: createRegistry([defineJob({ name: 'a', schema: z.object({}), perform: () => undefined })]),
        queues: { default: { lanes: { high: 0 } }, other: { lanes: { a: 1, b: 1 } } },
      }),
    ).toThrow(
      /queues\.default\.lanes: expected 2 to 10 lanes[\s\S]*queues\.default\.lanes\.high: weight must be an integer[\s\S]*queues\.other: no job runs on queue "other"/,
    );
  });
});

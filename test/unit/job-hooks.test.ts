import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import type { ErrorReport } from '../../src/engine/error-reporter';
import { runAttempt } from '../../src/engine/run-attempt';
import { ENVELOPE_VERSION, type Envelope } from '../../src/envelope/envelope';
import { toOutgoing } from '../../src/envelope/outgoing';
import { hasCode } from '../../src/errors';
import type { JobDefinition } from '../../src/job/define-job';
import type { DeadInfo, FailureInfo } from '../../src/job/hooks';
import { createRegistry } from '../../src/job/registry';
import type { JobContext } from '../../src/job/types';
import { createLocalEngine, createManualClock, createMemoryJobStore } from '../../src/local/index';
import type { JobStore } from '../../src/store/types';

const schema = z.object({ n: z.number() });
const clockAt = () => createManualClock(Date.UTC(2026, 11, 1, 12));

function engineFor(jobs: JobDefinition[], reports: [unknown, ErrorReport][] = [], store?: JobStore) {
  return createLocalEngine({
    registry: createRegistry(jobs),
    clock: clockAt(),
    random: () => 0,
    reportError: (error, report) => void reports.push([error, report]),
    ...(store ? { store } : {}),
  });
}

const attempt = (job: JobDefinition) =>
  runAttempt({
    job,
    payload: { n: 1 },
    run: { jobId: 'j-1', attempt: 1, createdAtMs: 0 },
    clock: clockAt(),
  });

describe('around', () => {
  it('runs code before and after perform, sees its result and makes what it returns the result', async () => {
    const seen: string[] = [];
    const job = defineJob({
      name: 'wrapped',
      schema,
      around: async <T>(ctx: JobContext, next: () => Promise<T>) => {
        seen.push(`before ${ctx.jobName} ${ctx.attempt}`);
        const result = await next();
        seen.push(`after ${JSON.stringify(result)}`);
        return { doubled: (result as { doubled: number }).doubled * 2 } as T;
      },
      perform: ({ n }) => {
        seen.push('perform');
        return { doubled: n * 2 };
      },
    });
    expect(await attempt(job)).toEqual({ ok: true, result: { doubled: 4 } });
    expect(seen).toEqual(['before wrapped 1', 'perform', 'after {"doubled":2}']);
  });

  it('sees the error perform threw, synchronously or not, and may turn it into a result', async () => {
    const job = defineJob({
      name: 'rescued',
      schema,
      around: async <T>(_ctx: JobContext, next: () => Promise<T>) => {
        try {
          return await next();
        } catch (error) {
          return `rescued ${(error as Error).message}` as T;
        }
      },
      perform: (): string => {
        throw new Error('sync throw');
      },
    });
    expect(await attempt(job)).toEqual({ ok: true, result: 'rescued sync throw' });
  });

  it('fails the attempt as perform would when it throws', async () => {
    const job = defineJob({
      name: 'broken-around',
      schema,
      around: async () => {
        throw new Error('around broke');
      },
      perform: () => 'never',
    });
    const outcome = await attempt(job);
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && (outcome.error as Error).message).toBe('around broke');
  });

  it('skips perform when it does not call next(): the attempt succeeds with what around returned', async () => {
    let performed = false;
    const job = defineJob({
      name: 'skipped',
      schema,
      around: async <T>() => 'skipped' as T,
      perform: () => {
        performed = true;
        return 'ran';
      },
    });
    expect(await attempt(job)).toEqual({ ok: true, result: 'skipped' });
    expect(performed).toBe(false);
  });

  it('rejects a second next() with HookError, and perform runs once', async () => {
    let runs = 0;
    const job = defineJob({
      name: 'twice',
      schema,
      around: async (_ctx, next) => {
        await next();
        return next();
      },
      perform: () => ++runs,
    });
    const outcome = await attempt(job);
    expect(runs).toBe(1);
    expect(!outcome.ok && hasCode(outcome.error, 'WHARF_HOOK')).toBe(true);
  });

  it('runs inside the attempt budget: an around that never finishes times the attempt out', async () => {
    const job = defineJob({
      name: 'hanging-around',
      schema,
      around: <T>() => new Promise<T>(() => undefined),
      perform: () => 'never reached',
    });
    const outcome = await runAttempt({
      job,
      payload: { n: 1 },
      run: { jobId: 'j-1', attempt: 1, createdAtMs: 0 },
      clock: { nowMs: () => Date.now(), sleep: (ms, signal) => realSleep(ms, signal) },
      budget: { ms: 20, reason: 'job-timeout' },
    });
    expect(!outcome.ok && hasCode(outcome.error, 'WHARF_JOB_TIMEOUT')).toBe(true);
  });

  it('runs on performNow too', async () => {
    const job = defineJob({
      name: 'inline',
      schema,
      around: async <T>(_ctx: JobContext, next: () => Promise<T>) => `around(${await next()})` as T,
      perform: ({ n }) => `perform ${n}`,
    });
    expect(await job.performNow({ n: 3 })).toBe('around(perform 3)');
  });
  it("leaves the job's result type as perform's, wherever around is written", async () => {
    const job = defineJob({
      name: 'typed',
      schema,
      around: (_ctx, next) => next(),
      perform: ({ n }) => ({ total: n + 1 }),
    });
    // A compile-time check as much as a run: `total` is a number, not unknown.
    const result: { total: number } = await job.performNow({ n: 1 });
    expect(result.total).toBe(2);
  });
});

describe('onFailure and onDead', () => {
  it('tell a discard as it is: onFailure with willRetry false, no onDead', async () => {
    const failures: FailureInfo[] = [];
    let dead = 0;
    const job = defineJob({
      name: 'discarded',
      schema,
      onFailure: (_error, info) => void failures.push(info),
      onDead: () => void dead++,
      perform: (_p, ctx) => ctx.discard('not needed'),
    });
    const reports: [unknown, ErrorReport][] = [];
    const engine = engineFor([job], reports);
    const { jobId } = await engine.client.enqueue(job.with({ n: 1 }));
    await engine.runUntilIdle();
    expect(failures).toEqual([expect.objectContaining({ jobId, outcome: 'discarded', willRetry: false })]);
    expect(reports.map(([, r]) => [r.kind, r.outcome, r.willRetry])).toEqual([
      ['attempt', 'discarded', false],
    ]);
    expect(dead).toBe(0);
    expect((await engine.store.get(jobId, engine.clock.nowMs()))?.status).toBe('discarded');
  });

  it('give onDead alone (afterAttempt false) a dead letter written without a run, and the reporter its error', async () => {
    const failures: FailureInfo[] = [];
    const deaths: [unknown, DeadInfo][] = [];
    const reports: [unknown, ErrorReport][] = [];
    const job = defineJob({
      name: 'strict',
      schema,
      redact: ['n'],
      onFailure: (_error, info) => void failures.push(info),
      onDead: (error, info) => void deaths.push([error, info]),
      perform: () => 'never',
    });
    const engine = engineFor([job], reports);
    // A producer without the schema (another service) sent a payload the worker's schema refuses.
    const now = engine.clock.nowMs();
    const envelope: Envelope = {
      v: ENVELOPE_VERSION,
      id: 'bad-1',
      job: 'strict',
      payload: { n: 'one' },
      attempt: 1,
      createdAtMs: now,
      enqueuedAtMs: now,
    };
    await engine.transport.send('default', [toOutgoing(envelope, now)]);
    await engine.runUntilIdle();
    expect(failures).toEqual([]);
    expect(deaths).toHaveLength(1);
    const [error, info] = deaths[0]!;
    expect(hasCode(error, 'WHARF_INVALID_PAYLOAD')).toBe(true);
    expect(info).toMatchObject({ jobId: 'bad-1', deadLetterReason: 'invalid-payload', afterAttempt: false });
    expect(reports.map(([, r]) => r)).toEqual([
      expect.objectContaining({
        kind: 'dead-letter',
        jobName: 'strict',
        jobId: 'bad-1',
        payload: { n: '[redacted]' },
        willRetry: false,
        deadLetterReason: 'invalid-payload',
      }),
    ]);
    expect(engine.transport.peekDeadLetters('default')).toHaveLength(1);
  });
});

describe('the hooks after a failure', () => {
  const flaky = (hooks: Pick<Parameters<typeof defineJob>[0], 'onFailure'>) =>
    defineJob({
      name: 'flaky',
      schema,
      retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
      ...hooks,
      perform: (_p, ctx) => {
        if (ctx.attempt === 1) throw new Error('first time');
        return 'second time';
      },
    });

  it('hold the message until they end: it is deleted only after onFailure', async () => {
    let entered = false;
    let finish: () => void = () => undefined;
    const job = flaky({
      onFailure: () => {
        entered = true;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    const engine = engineFor([job]);
    await engine.client.enqueue(job.with({ n: 1 }));
    const idle = engine.runUntilIdle();
    while (!entered) await new Promise((r) => setTimeout(r, 1));
    // The retry is sent already (durable); the failed attempt's own message is still in flight.
    expect(engine.transport.stats('default')).toMatchObject({ inFlight: 1, delayed: 1 });
    finish();
    await idle;
    expect(engine.transport.stats('default')).toMatchObject({ inFlight: 0, visible: 0, delayed: 0 });
  });

  it('go on without an onFailure that hangs, reported as HookError, and the retry still runs', async () => {
    const reports: [unknown, ErrorReport][] = [];
    const job = flaky({ onFailure: () => new Promise<void>(() => undefined) });
    const engine = engineFor([job], reports);
    const { jobId } = await engine.client.enqueue(job.with({ n: 1 }));
    await engine.runUntilIdle();
    const hook = reports.find(([, r]) => r.kind === 'hook');
    expect(hook?.[1]).toMatchObject({ hook: 'onFailure', jobId, outcome: 'retry-scheduled' });
    expect(hasCode(hook?.[0], 'WHARF_HOOK')).toBe(true);
    expect((await engine.store.get(jobId, engine.clock.nowMs()))?.status).toBe('succeeded');
  }, 15_000);

  it('when the retry could not be sent: the reporter hears "released", onFailure waits for a durable outcome', async () => {
    const reports: ErrorReport[] = [];
    const failures: FailureInfo[] = [];
    const job = flaky({ onFailure: (_e, info) => void failures.push(info) });
    const observed = createLocalEngine({
      registry: createRegistry([job]),
      clock: clockAt(),
      random: () => 0,
      reportError: (_error, report) => void reports.push(report),
    });
    const { jobId } = await observed.client.enqueue(job.with({ n: 1 }));
    observed.transport.failNextSends(1);
    await observed.runUntilIdle();
    expect(reports.map((r) => [r.kind, r.attempt, r.outcome, r.willRetry])).toEqual([
      ['attempt', 1, 'released', true],
      ['attempt', 1, 'retry-scheduled', true],
    ]);
    // Attempt 1 ran twice (the release used no attempt); onFailure heard of it once, when its retry was durable.
    expect(failures.map((f) => [f.attempt, f.outcome])).toEqual([[1, 'retry-scheduled']]);
    expect((await observed.store.get(jobId, observed.clock.nowMs()))?.status).toBe('succeeded');
  });
});

describe('the hooks on a FIFO queue', () => {
  it('run after a retry that waits in place, once the record holds it', async () => {
    const seen: string[] = [];
    const job = defineJob({
      name: 'ordered-step',
      schema: z.object({ orderId: z.string() }),
      queue: 'orders',
      group: (p) => p.orderId,
      retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
      onFailure: async (_error, info) => {
        const record = await engine.store.get(info.jobId, engine.clock.nowMs());
        seen.push(`${info.outcome} ${info.willRetry} ${record?.status}`);
      },
      perform: (_p, ctx) => {
        if (ctx.attempt === 1) throw new Error('not yet');
        return 'done';
      },
    });
    const engine = engineFor([job]);
    const { jobId } = await engine.client.enqueue(job.with({ orderId: 'o1' }));
    await engine.runUntilIdle();
    expect(seen).toEqual(['retry-scheduled true retrying']);
    expect((await engine.store.get(jobId, engine.clock.nowMs()))?.status).toBe('succeeded');
  });
});

describe('the error reporter', () => {
  it('hears of a body that is not an envelope, dead-lettered with its reason', async () => {
    const reports: [unknown, ErrorReport][] = [];
    const job = defineJob({ name: 'any', schema, perform: () => undefined });
    const engine = engineFor([job], reports);
    await engine.transport.send('default', [{ body: 'not json', attributes: {}, delaySeconds: 0 }]);
    await engine.runUntilIdle();
    expect(reports.map(([, r]) => r)).toEqual([
      expect.objectContaining({
        kind: 'dead-letter',
        queue: 'default',
        willRetry: false,
        outcome: 'dead-lettered',
      }),
    ]);
    expect(hasCode(reports[0]![0], 'WHARF_BAD_ENVELOPE')).toBe(true);
  });

  it("hears of the engine's own store failure that released a message, with the cause, and the job still runs", async () => {
    const reports: [unknown, ErrorReport][] = [];
    const memory = createMemoryJobStore();
    let failClaims = 1;
    const store: JobStore = {
      ...memory,
      claim: async (input) => {
        if (failClaims-- > 0)
          throw Object.assign(new Error('DynamoDB is down'), { name: 'ServiceUnavailable' });
        return memory.claim(input);
      },
    };
    const job = defineJob({ name: 'claimed', schema, idempotency: 'exactly-once', perform: () => 'done' });
    const engine = engineFor([job], reports, store);
    const { jobId } = await engine.client.enqueue(job.with({ n: 1 }));
    await engine.runUntilIdle();
    expect(reports).toHaveLength(1);
    const [cause, report] = reports[0]!;
    expect((cause as Error).message).toBe('DynamoDB is down');
    expect(report).toMatchObject({
      kind: 'engine',
      why: 'job store unavailable for claim',
      jobName: 'claimed',
      jobId,
      willRetry: true,
      outcome: 'released',
    });
    expect((await engine.store.get(jobId, engine.clock.nowMs()))?.status).toBe('succeeded');
  });

  it('is not called for a job that succeeds, and a job without hooks carries none', async () => {
    const reports: [unknown, ErrorReport][] = [];
    const job = defineJob({ name: 'plain', schema, perform: () => 'ok' });
    expect('hooks' in job).toBe(false);
    const engine = engineFor([job], reports);
    const { jobId } = await engine.client.enqueue(job.with({ n: 1 }));
    await engine.runUntilIdle();
    expect((await engine.store.get(jobId, engine.clock.nowMs()))?.status).toBe('succeeded');
    expect(reports).toEqual([]);
  });

  it('that rejects does not change the outcome: the retry is still sent and runs', async () => {
    const attempts: number[] = [];
    const job = defineJob({
      name: 'retried',
      schema,
      retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
      perform: (_p, ctx) => {
        attempts.push(ctx.attempt);
        if (ctx.attempt === 1) throw new Error('first time');
        return 'second time';
      },
    });
    const engine = createLocalEngine({
      registry: createRegistry([job]),
      clock: clockAt(),
      reportError: async () => {
        throw new Error('Sentry is down');
      },
    });
    const { jobId } = await engine.client.enqueue(job.with({ n: 1 }));
    await engine.runUntilIdle();
    expect(attempts).toEqual([1, 2]);
    expect(await engine.store.get(jobId, engine.clock.nowMs())).toMatchObject({
      status: 'succeeded',
      attempt: 2,
    });
  });
});

describe('defineJob', () => {
  it('refuses a hook that is not a function, with every problem at once', () => {
    expect(() =>
      defineJob({
        name: 'bad-hooks',
        schema,
        perform: () => undefined,
        around: 'yes' as never,
        onDead: 1 as never,
      }),
    ).toThrow(
      /around: expected a function, received string[\s\S]*onDead: expected a function, received number/,
    );
  });
});

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

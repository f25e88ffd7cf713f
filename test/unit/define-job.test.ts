import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { setDefaultEnqueuer } from '../../src/client/default-enqueuer';
import type { Enqueuer } from '../../src/client/types';
import { defineJob } from '../../src/define-job';
import { ConfigError, InvalidOptionsError, InvalidPayloadError } from '../../src/errors';
import { DEFAULT_BACKOFF } from '../../src/job/backoff';
import { createRegistry } from '../../src/job/registry';
import type { JobContext } from '../../src/job/types';

const schema = z.object({ userId: z.string() });
const perform = () => undefined;

/** Calls `fn` and returns what it threw, failing the test when it did not throw. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('defineJob', () => {
  it('resolves every default in one place', () => {
    const job = defineJob({ name: 'sendWelcome', schema, perform });
    expect(job.name).toBe('sendWelcome');
    expect(job.schema).toBe(schema);
    expect(job.options).toEqual({
      queue: 'default',
      timeoutMs: 30_000,
      idempotency: 'tracked',
      maxAttempts: 5,
      retry: { attempts: 5, backoff: DEFAULT_BACKOFF, retryOn: undefined, discardOn: [], rules: [] },
      flow: {},
      enqueue: {},
      steps: { maxResultBytes: 32_768, used: false },
    });
    expect(Object.isFrozen(job)).toBe(true);
  });

  it('keeps the options it is given', () => {
    class Gone extends Error {}
    const backoff = { strategy: 'fixed', delay: '10s' } as const;
    const job = defineJob({
      name: 'chargeCard',
      schema,
      queue: 'payments',
      timeout: '2m',
      idempotency: 'exactly-once',
      retry: { attempts: 3, backoff, retryOn: ['GATEWAY_DOWN'], discardOn: [Gone] },
      jobId: (p) => p.userId,
      perform,
    });
    expect(job.options).toEqual({
      queue: 'payments',
      timeoutMs: 120_000,
      idempotency: 'exactly-once',
      maxAttempts: 3,
      retry: { attempts: 3, backoff, retryOn: ['GATEWAY_DOWN'], discardOn: [Gone], rules: [] },
      flow: {},
      enqueue: {},
      steps: { maxResultBytes: 32_768, used: false },
    });
    expect(job.deriveJobId?.({ userId: 'u1' })).toBe('u1');
  });

  it('reports every invalid option at once, saying what it received', () => {
    const error = thrownBy(() =>
      defineJob({
        name: '1-bad name',
        schema: { not: 'a schema' } as never,
        queue: 'Payments_Queue',
        timeout: '500ms',
        idempotency: 'maybe' as never,
        retry: { attempts: 0 },
        perform: undefined as never,
        concurency: 5,
        concurrency: 5,
      } as never),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ code: 'WHARF_INVALID_DEFINITION' });
    expect((error as InvalidOptionsError).problems).toEqual([
      'unknown option "concurency" (known: name, schema, queue, retry, timeout, idempotency, jobId, redact, concurrency, throttle, tenant, group, priority, unique, debounce, expiresIn, steps, perform, around, onFailure, onDead)',
      'name: expected 1-128 letters, digits, ".", "_" or "-" starting with a letter, received "1-bad name"',
      'schema: expected a Standard Schema (zod, valibot, arktype...)',
      'perform: expected a function',
      'queue: expected 1-40 lowercase letters, digits or "-" starting with a letter, received "Payments_Queue"',
      'timeout: must be between 1s and 12h, received 500 ms',
      'idempotency: expected one of off, tracked, exactly-once, received "maybe"',
      'retry.attempts: expected an integer from 1 to 1000, received 0',
      'concurrency: expected { limit, key? }, received 5',
    ]);
    expect((error as Error).message).toMatch(/^Invalid job definition "1-bad name":\n {2}- unknown option/);
  });

  it.each([
    [
      'a bare number',
      30,
      'timeout: expected a duration like "30s" or { seconds: 30 }, received the number 30',
    ],
    ['more than 12 hours', '13h', 'timeout: must be between 1s and 12h, received 46800000 ms'],
    ['exactly 12 hours', '12h', undefined],
    ['exactly 1 second', '1s', undefined],
  ])('checks a timeout of %s', (_what, timeout, problem) => {
    const define = () => defineJob({ name: 'j', schema, timeout: timeout as never, perform });
    if (problem === undefined) expect(define).not.toThrow();
    else expect((thrownBy(define) as InvalidOptionsError).problems[0]).toContain(problem);
  });

  it.each([
    [1.5, 'retry.attempts: expected an integer from 1 to 1000, received 1.5'],
    [1001, 'retry.attempts: expected an integer from 1 to 1000, received 1001'],
    ['3', 'retry.attempts: expected an integer from 1 to 1000, received "3"'],
  ])('rejects %j attempts', (attempts, problem) => {
    const error = thrownBy(() =>
      defineJob({ name: 'j', schema, retry: { attempts: attempts as never }, perform }),
    );
    expect((error as InvalidOptionsError).problems).toEqual([problem]);
  });

  it.each([
    ['a name over 128 characters', { name: `a${'b'.repeat(128)}` }],
    ['a name with a space', { name: 'send welcome' }],
    ['a name that is not a string', { name: 42 }],
    ['a queue over 40 characters', { queue: `q${'x'.repeat(40)}` }],
    ['an empty queue', { queue: '' }],
  ])('rejects %s', (_what, options) => {
    const error = thrownBy(() => defineJob({ name: 'j', schema, perform, ...(options as object) }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).problems).toHaveLength(1);
  });

  it('reports an invalid retry policy at definition time, not when the first retry is due', () => {
    const error = thrownBy(() =>
      defineJob({
        name: 'j',
        schema,
        perform,
        retry: {
          backoff: { strategy: 'exponential', base: 5, factor: 0, jitter: 2, max: '1 hour' } as never,
          retryOn: [42] as never,
          discardOn: 'NOT_FOUND' as never,
          tries: 3,
        } as never,
      }),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).problems).toEqual([
      'retry: unknown option "tries" (known: attempts, backoff, retryOn, discardOn, rules)',
      'retry.backoff.base: expected a duration like "30s" or { seconds: 30 }, received the number 5 (add a unit, e.g. "5s")',
      'retry.backoff.max: expected a duration like "30s", "15m" or "2h", received "1 hour"',
      'retry.backoff.factor: expected a number of at least 1, received 0',
      'retry.backoff.jitter: expected a fraction from 0 to 1, received 2',
      'retry.retryOn: expected a list of error codes or names (strings), error classes or predicates, received [42]',
      'retry.discardOn: expected a list of error codes or names (strings), error classes or predicates, received "NOT_FOUND"',
    ]);
  });

  it.each([
    [
      'an unknown strategy',
      { strategy: 'exponental' },
      'retry.backoff.strategy: expected one of polynomial, exponential, fixed, received "exponental"',
    ],
    ['a fixed backoff without a delay', { strategy: 'fixed' }, 'retry.backoff.delay: expected a duration'],
    [
      'an option the strategy does not have',
      { strategy: 'fixed', delay: '1s', max: '1h' },
      'retry.backoff: unknown option "max" for strategy "fixed" (known: strategy, delay, jitter)',
    ],
    [
      'a negative exponent',
      { strategy: 'polynomial', exponent: -1 },
      'retry.backoff.exponent: expected a positive number, received -1',
    ],
  ])('rejects a backoff with %s', (_what, backoff, problem) => {
    const error = thrownBy(() =>
      defineJob({ name: 'j', schema, perform, retry: { backoff: backoff as never } }),
    );
    expect((error as InvalidOptionsError).problems).toHaveLength(1);
    expect((error as InvalidOptionsError).problems[0]).toContain(problem);
  });

  describe('performNow', () => {
    it('validates the payload as a worker would see it (after a JSON round trip) and runs the job once', async () => {
      const seen: { payload: unknown; ctx: JobContext }[] = [];
      const job = defineJob({
        name: 'stamp',
        schema: z.object({ at: z.string(), n: z.number().default(7) }),
        perform: (payload, ctx) => {
          seen.push({ payload, ctx });
          return { ok: true };
        },
      });
      // A Date becomes its ISO string on the way through JSON, as it would through a queue.
      const at = new Date('2026-11-25T12:00:00.000Z');
      await expect(job.performNow({ at } as never)).resolves.toEqual({ ok: true });
      expect(seen).toHaveLength(1);
      expect(seen[0]!.payload).toEqual({ at: '2026-11-25T12:00:00.000Z', n: 7 });
      expect(seen[0]!.ctx).toMatchObject({ jobName: 'stamp', queue: 'default', attempt: 1, maxAttempts: 5 });
      expect(seen[0]!.ctx.signal.aborted).toBe(false);
    });

    it('refuses a payload that only passes before the JSON round trip, without running the job', async () => {
      let ran = 0;
      const job = defineJob({
        name: 'needsDate',
        schema: z.object({ at: z.date() }),
        perform: () => void ran++,
      });
      const error = await job.performNow({ at: new Date() }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect((error as InvalidPayloadError).issues).toEqual([expect.stringMatching(/^at: /)]);
      expect(ran).toBe(0);
    });

    it('lists every payload problem', async () => {
      const job = defineJob({ name: 'pair', schema: z.object({ a: z.string(), b: z.number() }), perform });
      const error = await job.performNow({ a: 1, b: 'x' } as never).catch((e: unknown) => e);
      expect((error as InvalidPayloadError).issues).toHaveLength(2);
      expect((error as Error).message).toMatch(/^Invalid payload for job "pair" \(2 problems\):/);
    });

    it("throws the job's own error", async () => {
      const job = defineJob({
        name: 'fails',
        schema,
        perform: () => {
          throw new TypeError('amount is undefined');
        },
      });
      await expect(job.performNow({ userId: 'u1' })).rejects.toThrow(new TypeError('amount is undefined'));
    });
  });

  describe('performLater', () => {
    let previous: Enqueuer | undefined;
    beforeEach(() => {
      previous = setDefaultEnqueuer(undefined);
    });
    afterEach(() => {
      setDefaultEnqueuer(previous);
    });

    it('explains how to configure a client when none is configured', async () => {
      const job = defineJob({ name: 'j', schema, perform });
      const error = await Promise.resolve()
        .then(() => job.performLater({ userId: 'u1' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'WHARF_CONFIG' });
      expect((error as Error).message).toBe(
        'No wharf client is configured for performLater. In a producer, call ' +
          'setDefaultEnqueuer(createAwsRuntime({ registry }).client) once at start-up (createAwsRuntime is in ' +
          '"wharf-jobs/aws"); the Lambda and worker entries install one themselves. Locally, use ' +
          'createLocalEngine({ registry, installAsDefault: true }) from "wharf-jobs/local"; in tests, enableTestMode() from "wharf-jobs/testing".',
      );
    });

    it('hands a typed request to the configured client', async () => {
      const requests: unknown[] = [];
      setDefaultEnqueuer({
        enqueue: async (request) => {
          requests.push(request);
          return {
            outcome: 'enqueued',
            jobId: 'id-1',
            jobName: request.job.name,
            queue: 'default',
            runAtMs: 0,
          };
        },
        enqueueMany: async () => ({ enqueued: [], duplicates: [], failed: [] }),
      });
      const job = defineJob({ name: 'j', schema, perform });
      await expect(job.performLater({ userId: 'u1' }, { delay: '5m' })).resolves.toMatchObject({
        jobId: 'id-1',
      });
      expect(requests).toEqual([{ job, payload: { userId: 'u1' }, options: { delay: '5m' } }]);
    });
  });
});

describe('createRegistry', () => {
  const a = defineJob({ name: 'a', schema, perform });
  const b = defineJob({ name: 'b', schema, queue: 'reports', perform });
  const c = defineJob({ name: 'c', schema, perform });

  it('finds jobs by name and lists queues in first-seen order', () => {
    const registry = createRegistry([a, b, c]);
    expect(registry.get('b')).toBe(b);
    expect(registry.queues).toEqual(['default', 'reports']);
    expect(registry.jobsOn('default')).toEqual([a, c]);
    expect(registry.jobsOn('nowhere')).toEqual([]);
  });

  it('reports every duplicate name at once', () => {
    const error = thrownBy(() =>
      createRegistry([
        a,
        defineJob({ name: 'a', schema, perform }),
        b,
        defineJob({ name: 'b', schema, perform }),
      ]),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error).toMatchObject({ code: 'WHARF_INVALID_DEFINITION' });
    expect((error as InvalidOptionsError).problems).toEqual([
      'job name "a" is defined twice',
      'job name "b" is defined twice',
    ]);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    'finds nothing for the hostile name "%s"',
    (name) => {
      expect(createRegistry([a]).get(name)).toBeUndefined();
    },
  );
});

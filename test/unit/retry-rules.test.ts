import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { decideRetry } from '../../src/engine/retry-decision';
import { DiscardJobError, JobTimeoutError, RetryAfterError } from '../../src/errors';
import type { RetryPolicy } from '../../src/job/types';

class RateLimitError extends Error {
  override name = 'RateLimitError';
}
class GatewayDown extends Error {}
const optionsWith = (retry: RetryPolicy) =>
  defineJob({ name: 'j', schema: z.object({}), retry, perform: () => undefined }).options;
const noJitter = () => 0;

// Several `retry_on` lines, as in Rails: the first rule that matches the error decides attempts and wait.
describe('per-error retry rules', () => {
  const options = optionsWith({
    attempts: 3,
    backoff: { strategy: 'fixed', delay: '10s' },
    rules: [
      { on: RateLimitError, attempts: 10, backoff: { strategy: 'fixed', delay: '1m' } },
      { on: ['ECONNRESET', GatewayDown], attempts: 2 },
      {
        on: (e) => e instanceof Error && e.message.includes('flaky'),
        backoff: { strategy: 'fixed', delay: '2s' },
      },
    ],
  });

  it("gives an error its rule's attempts and backoff, the first matching rule deciding", () => {
    expect(decideRetry(options, 1, new RateLimitError('slow down'), noJitter)).toEqual({
      kind: 'retry',
      delayMs: 60_000,
    });
    // Past the policy's 3 attempts, a rate limit still retries: its rule allows 10.
    expect(decideRetry(options, 9, new RateLimitError('slow down'), noJitter)).toEqual({
      kind: 'retry',
      delayMs: 60_000,
    });
    expect(decideRetry(options, 10, new RateLimitError('slow down'), noJitter)).toEqual({
      kind: 'dead',
      reason: 'retries-exhausted',
    });
  });

  it("takes a rule's missing attempts or backoff from the policy", () => {
    const reset = Object.assign(new Error('socket'), { code: 'ECONNRESET' });
    expect(decideRetry(options, 1, reset, noJitter)).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(decideRetry(options, 2, new GatewayDown(), noJitter)).toEqual({
      kind: 'dead',
      reason: 'retries-exhausted',
    });
    expect(decideRetry(options, 2, new Error('flaky upstream'), noJitter)).toEqual({
      kind: 'retry',
      delayMs: 2_000,
    });
    expect(decideRetry(options, 3, new Error('flaky upstream'), noJitter)).toMatchObject({ kind: 'dead' });
  });

  it("gives an error no rule matches the policy's attempts and backoff", () => {
    expect(decideRetry(options, 2, new TypeError('bug'), noJitter)).toEqual({
      kind: 'retry',
      delayMs: 10_000,
    });
    expect(decideRetry(options, 3, new TypeError('bug'), noJitter)).toEqual({
      kind: 'dead',
      reason: 'retries-exhausted',
    });
  });

  it("still lets a discard win, and ctx.retryAfter keep its own delay within its rule's attempts", () => {
    const discarding = optionsWith({
      discardOn: [RateLimitError],
      rules: [{ on: RateLimitError, attempts: 9 }],
    });
    expect(decideRetry(discarding, 1, new RateLimitError('x'), noJitter)).toEqual({ kind: 'discard' });
    expect(decideRetry(options, 1, new DiscardJobError('gone'), noJitter)).toEqual({ kind: 'discard' });
    const asked = optionsWith({ attempts: 2, rules: [{ on: 'WHARF_RETRY_AFTER', attempts: 6 }] });
    expect(decideRetry(asked, 4, new RetryAfterError(5_000), noJitter)).toEqual({
      kind: 'retry',
      delayMs: 5_000,
    });
  });

  it("makes a rule's error retryable where retryOn would not list it", () => {
    const narrow = optionsWith({ retryOn: ['TIMEOUT'], rules: [{ on: RateLimitError, attempts: 4 }] });
    expect(decideRetry(narrow, 1, new RateLimitError('x'), noJitter)).toMatchObject({ kind: 'retry' });
    expect(decideRetry(narrow, 1, new TypeError('x'), noJitter)).toEqual({
      kind: 'dead',
      reason: 'permanent-error',
    });
  });

  it('retries a run the invocation deadline cut short by the policy, whatever the rules say', () => {
    const cut = new JobTimeoutError(5_000, 'deadline');
    const all = optionsWith({ attempts: 3, rules: [{ on: () => true, attempts: 1 }] });
    expect(decideRetry(all, 1, cut, noJitter)).toMatchObject({ kind: 'retry' });
  });

  it("counts the most attempts any error can get as the job's maxAttempts (what ctx.maxAttempts says)", () => {
    expect(options.maxAttempts).toBe(10);
    expect(optionsWith({ attempts: 4, rules: [{ on: 'X', attempts: 2 }] }).maxAttempts).toBe(4);
  });

  it('refuses a malformed rule at definition, saying what it received', () => {
    expect(() =>
      optionsWith({
        rules: [
          // @ts-expect-error a rule without `on`, on purpose
          { attempts: 3 },
          { on: RateLimitError, attempts: 0, backoff: { strategy: 'fixed' } as never },
          // @ts-expect-error an unknown key, on purpose
          { on: 'X', wait: '1m' },
        ],
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'WHARF_INVALID_DEFINITION',
        message: expect.stringContaining(
          [
            '  - retry.rules[0].on: expected an error code or name, an error class, a predicate, or a list of them, received undefined',
            '  - retry.rules[1].attempts: expected an integer from 1 to 1000, received 0',
            '  - retry.rules[1].backoff.delay: expected a duration like "30s" or { seconds: 30 }, received undefined',
            '  - retry.rules[2]: unknown option "wait" (known: on, attempts, backoff)',
          ].join('\n'),
        ),
      }),
    );
  });
});

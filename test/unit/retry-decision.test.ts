import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { decideRetry } from '../../src/engine/retry-decision';
import {
  DiscardJobError,
  InvalidPayloadError,
  JobTimeoutError,
  RetryAfterError,
  WharfError,
} from '../../src/errors';
import type { RetryPolicy } from '../../src/job/types';

class GatewayDown extends Error {
  override name = 'GatewayDown';
}
class RecordGone extends Error {}
class SubclassOfGone extends RecordGone {}

const optionsWith = (retry: RetryPolicy) =>
  defineJob({ name: 'j', schema: z.object({}), retry, perform: () => undefined }).options;
const noJitter = () => 0;
const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('decideRetry', () => {
  const plain = optionsWith({ attempts: 3, backoff: { strategy: 'fixed', delay: '10s' } });

  it('retries any error with the backoff delay while attempts remain', () => {
    expect(decideRetry(plain, 1, new Error('boom'), noJitter)).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(decideRetry(plain, 2, new TypeError('x'), noJitter)).toEqual({ kind: 'retry', delayMs: 10_000 });
  });

  it('dead-letters as retries-exhausted once the last attempt has failed', () => {
    expect(decideRetry(plain, 3, new Error('boom'), noJitter)).toEqual({
      kind: 'dead',
      reason: 'retries-exhausted',
    });
  });

  it('dead-letters after the first failure when the job has a single attempt', () => {
    const once = optionsWith({ attempts: 1 });
    expect(decideRetry(once, 1, new Error('boom'), noJitter)).toEqual({
      kind: 'dead',
      reason: 'retries-exhausted',
    });
  });

  it('uses the backoff for the attempt that failed', () => {
    const poly = optionsWith({ attempts: 10, backoff: { strategy: 'polynomial' } });
    expect(decideRetry(poly, 1, new Error(), noJitter)).toEqual({ kind: 'retry', delayMs: 3_000 });
    expect(decideRetry(poly, 3, new Error(), noJitter)).toEqual({ kind: 'retry', delayMs: 83_000 });
  });

  it('passes the random source on to the jitter', () => {
    const jittered = optionsWith({ backoff: { strategy: 'fixed', delay: '10s', jitter: 0.5 } });
    expect(decideRetry(jittered, 1, new Error(), () => 0.5)).toEqual({ kind: 'retry', delayMs: 12_500 });
  });

  it('retries a thrown non-Error value like an error', () => {
    expect(decideRetry(plain, 1, 'a string was thrown', noJitter)).toEqual({
      kind: 'retry',
      delayMs: 10_000,
    });
    expect(decideRetry(plain, 1, undefined, noJitter)).toEqual({ kind: 'retry', delayMs: 10_000 });
    expect(decideRetry(plain, 1, null, noJitter)).toEqual({ kind: 'retry', delayMs: 10_000 });
  });

  describe('discardOn', () => {
    const discarding = optionsWith({
      discardOn: [
        RecordGone,
        'NOT_FOUND',
        'UserDeleted',
        (e) => e instanceof Error && e.message.startsWith('obsolete'),
      ],
    });

    it.each([
      ['an error class', new RecordGone('gone')],
      ['a subclass of a listed class', new SubclassOfGone('gone')],
      ['an error code', withCode('NOT_FOUND')],
      ['an error name', Object.assign(new Error('x'), { name: 'UserDeleted' })],
      ['a predicate', new Error('obsolete request')],
    ])('discards an error matched by %s', (_how, error) => {
      expect(decideRetry(discarding, 1, error, noJitter)).toEqual({ kind: 'discard' });
    });

    it('discards even on the last attempt, instead of dead-lettering', () => {
      expect(decideRetry(discarding, 5, withCode('NOT_FOUND'), noJitter)).toEqual({ kind: 'discard' });
    });

    it('retries errors no rule matches', () => {
      expect(decideRetry(discarding, 1, withCode('NOT_FOUN'), noJitter).kind).toBe('retry');
      expect(decideRetry(discarding, 1, new Error('current request'), noJitter).kind).toBe('retry');
    });

    it('discards on DiscardJobError (ctx.discard) without any rule', () => {
      expect(decideRetry(plain, 1, new DiscardJobError('no longer needed'), noJitter)).toEqual({
        kind: 'discard',
      });
    });

    it('recognises a discard by its code, across bundles that do not share the class', () => {
      expect(decideRetry(plain, 1, withCode('WHARF_DISCARD'), noJitter)).toEqual({ kind: 'discard' });
    });

    it('matches only the listed class, not every Error, when given a class', () => {
      expect(decideRetry(discarding, 1, new Error('other'), noJitter).kind).toBe('retry');
    });
  });

  describe('retryOn', () => {
    const restricted = optionsWith({
      attempts: 4,
      backoff: { strategy: 'fixed', delay: '1s' },
      retryOn: [GatewayDown, 'ECONNRESET', (e) => (e as { status?: number })?.status === 503],
    });

    it.each([
      ['its class', new GatewayDown('down')],
      ['its code', withCode('ECONNRESET')],
      ['a predicate', Object.assign(new Error('unavailable'), { status: 503 })],
    ])('retries an error matched by %s', (_how, error) => {
      expect(decideRetry(restricted, 1, error, noJitter)).toEqual({ kind: 'retry', delayMs: 1_000 });
    });

    it('dead-letters any other error at once as permanent-error', () => {
      expect(decideRetry(restricted, 1, new TypeError('amount is undefined'), noJitter)).toEqual({
        kind: 'dead',
        reason: 'permanent-error',
      });
      expect(decideRetry(restricted, 1, Object.assign(new Error(), { status: 400 }), noJitter)).toEqual({
        kind: 'dead',
        reason: 'permanent-error',
      });
    });

    it('still stops at the attempt budget for matched errors', () => {
      expect(decideRetry(restricted, 4, new GatewayDown('down'), noJitter)).toEqual({
        kind: 'dead',
        reason: 'retries-exhausted',
      });
    });

    it('lets a job ask for a retry (RetryAfterError) even when retryOn does not list it', () => {
      expect(decideRetry(restricted, 1, new RetryAfterError(7_000), noJitter)).toEqual({
        kind: 'retry',
        delayMs: 7_000,
      });
    });

    it('puts discardOn before retryOn', () => {
      const both = optionsWith({ retryOn: [GatewayDown], discardOn: [GatewayDown] });
      expect(decideRetry(both, 1, new GatewayDown('down'), noJitter)).toEqual({ kind: 'discard' });
    });
  });

  describe('RetryAfterError', () => {
    const slow = optionsWith({ attempts: 3, backoff: { strategy: 'fixed', delay: '1h' } });

    it('waits the delay the job asked for instead of the backoff', () => {
      expect(decideRetry(slow, 1, new RetryAfterError(30_000, 'rate limited'), noJitter)).toEqual({
        kind: 'retry',
        delayMs: 30_000,
      });
    });

    it('adds no jitter to the asked delay', () => {
      expect(decideRetry(slow, 1, new RetryAfterError(30_000), () => 0.99)).toEqual({
        kind: 'retry',
        delayMs: 30_000,
      });
    });

    it('counts as an attempt: the last one dead-letters as retries-exhausted', () => {
      expect(decideRetry(slow, 3, new RetryAfterError(30_000), noJitter)).toEqual({
        kind: 'dead',
        reason: 'retries-exhausted',
      });
    });

    it('falls back to the backoff when a WHARF_RETRY_AFTER error carries no delay', () => {
      expect(decideRetry(slow, 1, withCode('WHARF_RETRY_AFTER'), noJitter)).toEqual({
        kind: 'retry',
        delayMs: 3_600_000,
      });
    });
  });

  it('dead-letters an InvalidPayloadError at once as permanent-error, with attempts left', () => {
    expect(decideRetry(plain, 1, new InvalidPayloadError('j', ['n: expected number']), noJitter)).toEqual({
      kind: 'dead',
      reason: 'permanent-error',
    });
  });

  describe('a run cut short by the invocation deadline', () => {
    const cut = () => new JobTimeoutError(4_000, 'deadline');

    it('is retried even when retryOn does not list timeouts: the platform stopped it, not the job', () => {
      const restricted = optionsWith({ retryOn: [GatewayDown], backoff: { strategy: 'fixed', delay: '5s' } });
      expect(decideRetry(restricted, 1, cut(), noJitter)).toEqual({ kind: 'retry', delayMs: 5_000 });
      // The job's own timeout stays a job failure that retryOn governs.
      expect(decideRetry(restricted, 1, new JobTimeoutError(4_000, 'job-timeout'), noJitter)).toEqual({
        kind: 'dead',
        reason: 'permanent-error',
      });
    });

    it('is not discarded by a discardOn rule for timeouts', () => {
      const discarding = optionsWith({ discardOn: ['WHARF_JOB_TIMEOUT'] });
      expect(decideRetry(discarding, 1, cut(), noJitter).kind).toBe('retry');
      expect(decideRetry(discarding, 1, new JobTimeoutError(4_000, 'job-timeout'), noJitter).kind).toBe(
        'discard',
      );
    });

    it('still uses an attempt, so a job longer than any invocation ends as a dead letter', () => {
      expect(decideRetry(plain, 3, cut(), noJitter)).toEqual({ kind: 'dead', reason: 'retries-exhausted' });
    });
  });

  it('retries a timeout like any other error', () => {
    expect(decideRetry(plain, 1, new JobTimeoutError(30_000, 'job-timeout'), noJitter).kind).toBe('retry');
  });

  it('treats a predicate that throws as not matching, so a bug in a rule still ends in a decision', () => {
    const explode = (error: unknown) => (error as { response: { status: number } }).response.status === 503;
    const retrying = optionsWith({ retryOn: [explode] });
    const discarding = optionsWith({ discardOn: [explode] });
    expect(decideRetry(retrying, 1, new Error('no response'), noJitter)).toEqual({
      kind: 'dead',
      reason: 'permanent-error',
    });
    expect(decideRetry(discarding, 1, new Error('no response'), noJitter).kind).toBe('retry');
  });

  it('matches a string matcher on the code of a wharf error too', () => {
    const options = optionsWith({ discardOn: ['WHARF_JOB_TIMEOUT'] });
    expect(decideRetry(options, 1, new JobTimeoutError(1_000, 'job-timeout'), noJitter)).toEqual({
      kind: 'discard',
    });
    expect(decideRetry(options, 1, new WharfError('WHARF_TRANSPORT', 'x'), noJitter).kind).toBe('retry');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { InvalidPayloadError } from '../../src/index';
import {
  EnqueuedJobFailedError,
  enableTestMode,
  MaxJobsExceededError,
  runJob,
  type TestJobs,
} from '../../src/testing/index';
import {
  CardExpired,
  chargeCard,
  echoForever,
  GatewayDown,
  gateway,
  generateReport,
  HOUR,
  importRows,
  notifyOwner,
  outbox,
  resetFakes,
  START,
  sendReminder,
  sendWelcome,
  shipOrder,
} from '../helpers/testing-jobs';

let jobs: TestJobs;
beforeEach(() => {
  resetFakes();
  jobs = enableTestMode({ now: START });
});
afterEach(() => jobs.restore());

describe('performEnqueued', () => {
  it('runs the due jobs with their schema-parsed payload and reports their results', async () => {
    await sendWelcome.performLater({ userId: 'u1' });
    const summary = await jobs.performEnqueued();
    expect(outbox).toEqual(['welcome en u1']);
    expect(summary.performed).toMatchObject([
      { jobName: 'sendWelcome', outcome: 'succeeded', result: { sentTo: 'u1' } },
    ]);
    expect(summary).toMatchObject({ failed: [], remaining: 0 });
    expect(jobs.count()).toBe(0);
    expect(jobs.performed(sendWelcome)[0]).toMatchObject({ outcome: 'succeeded', result: { sentTo: 'u1' } });
  });

  it('also runs the jobs those jobs enqueue', async () => {
    await generateReport.performLater({ reportId: 'r1', ownerId: 'o1' });
    const summary = await jobs.performEnqueued();
    expect(summary.performed.map((job) => job.jobName)).toEqual(['generateReport', 'notifyOwner']);
    expect(outbox).toEqual(['report r1 ready for o1']);
  });

  it('runs only the given jobs when asked, leaving the rest enqueued', async () => {
    await generateReport.performLater({ reportId: 'r1', ownerId: 'o1' });
    const summary = await jobs.performEnqueued({ only: [generateReport] });
    expect(summary.remaining).toBe(1);
    jobs.assertEnqueued(notifyOwner, { reportId: 'r1', ownerId: 'o1' });
    expect(outbox).toEqual([]);
  });

  it('leaves delayed jobs until the clock reaches them, then runs them in due order', async () => {
    await sendReminder.performLater({ userId: 'late' }, { delay: '2h' });
    await sendReminder.performLater({ userId: 'early' }, { delay: '1h' });
    await sendReminder.performLater({ userId: 'also-early' }, { at: new Date(START.getTime() + HOUR) });
    expect((await jobs.performEnqueued()).remaining).toBe(3);
    expect(outbox).toEqual([]);
    jobs.travel('1h');
    await jobs.performEnqueued();
    expect(outbox).toEqual(['reminder early', 'reminder also-early']);
    jobs.travelTo(new Date(START.getTime() + 2 * HOUR));
    await jobs.performEnqueued();
    expect(outbox).toEqual(['reminder early', 'reminder also-early', 'reminder late']);
  });

  it('stops a job that keeps enqueuing itself at maxJobs, naming it', async () => {
    await echoForever.performLater({ n: 0 });
    const error = await rejectionOf(jobs.performEnqueued({ maxJobs: 5 }));
    expect(error).toBeInstanceOf(MaxJobsExceededError);
    expect(error.message).toContain('performEnqueued ran 5 jobs and jobs were still due');
    expect(error.message).toContain('  - echoForever enqueued echoForever 5 times');
    expect(error.message).toContain('Still due (1):\n  - echoForever {"n":5}');
    expect(jobs.performed(echoForever)).toHaveLength(5);
  });

  it('counts every job against maxJobs, not only those enqueued by jobs', async () => {
    for (const userId of ['u1', 'u2', 'u3']) await sendWelcome.performLater({ userId });
    await expect(jobs.performEnqueued({ maxJobs: 2 })).rejects.toThrow(
      'No job enqueued another during this call: more jobs were due than maxJobs, or jobs retried without delay.',
    );
    expect(outbox).toEqual(['welcome en u1', 'welcome en u2']);
  });

  it('has a default cap of 100 jobs', async () => {
    await echoForever.performLater({ n: 0 });
    await expect(jobs.performEnqueued()).rejects.toThrow('performEnqueued ran 100 jobs');
    expect(jobs.performed()).toHaveLength(100);
  });

  it('throws when a job fails, naming the job, id and attempt, with its error as cause', async () => {
    gateway.failuresLeft = 1;
    const { jobId } = await chargeCard.performLater({ orderId: 'o1' });
    const error = await rejectionOf(jobs.performEnqueued());
    expect(error).toBeInstanceOf(EnqueuedJobFailedError);
    expect(error).toMatchObject({ jobName: 'chargeCard', jobId, attempt: 1 });
    expect(error.message).toBe(
      `Job chargeCard (id ${jobId}, attempt 1) failed: GatewayDown: payment gateway unavailable\n` +
        "The engine would retry it in 10s as attempt 2 of 3. Pass { onFailure: 'collect' } to performEnqueued to collect failures instead.",
    );
    expect(error.cause).toBeInstanceOf(GatewayDown);
  });

  it('collects failures when asked, and retries them after the backoff delay as the engine would', async () => {
    gateway.failuresLeft = 1;
    await chargeCard.performLater({ orderId: 'o1' });
    const first = await jobs.performEnqueued({ onFailure: 'collect' });
    expect(first.failed).toMatchObject([
      { jobName: 'chargeCard', attempt: 1, outcome: 'retry', delayMs: 10_000 },
    ]);
    jobs.assertEnqueued(chargeCard, { orderId: 'o1' }, { delay: '10s' });
    expect(jobs.enqueued(chargeCard)[0]?.attempt).toBe(2);
    expect((await jobs.performEnqueued()).performed).toEqual([]);
    jobs.travel('10s');
    const second = await jobs.performEnqueued();
    expect(second.performed).toMatchObject([{ attempt: 2, outcome: 'succeeded', result: { attempt: 2 } }]);
    expect(gateway.charges).toEqual(['o1']);
  });

  it('reports a dead job in the summary when collecting, and does not retry it', async () => {
    await chargeCard.performLater({ orderId: 'o1', scenario: 'bug' });
    const summary = await jobs.performEnqueued({ onFailure: 'collect' });
    expect(summary.failed).toMatchObject([
      { outcome: 'dead', reason: 'permanent-error', error: expect.any(TypeError) },
    ]);
    expect(jobs.count()).toBe(0);
  });

  it('treats a discarded job as handled, not as a failure', async () => {
    await chargeCard.performLater({ orderId: 'o1', scenario: 'expired' });
    const summary = await jobs.performEnqueued();
    expect(summary.performed).toMatchObject([{ outcome: 'discarded', error: expect.any(CardExpired) }]);
    expect(summary.failed).toEqual([]);
  });

  it('skips a duplicate of an exactly-once job that already succeeded', async () => {
    await shipOrder.performLater({ orderId: 'o1' });
    await shipOrder.performLater({ orderId: 'o1' });
    const summary = await jobs.performEnqueued();
    expect(summary.performed.map((job) => job.outcome)).toEqual(['succeeded', 'duplicate']);
    expect(outbox).toEqual(['shipped o1']);
  });

  it('rejects a maxJobs that is not a positive integer', async () => {
    await expect(jobs.performEnqueued({ maxJobs: 0 })).rejects.toThrow(/maxJobs: expected an integer from 1/);
  });
});

describe('runJob', () => {
  it('runs a job inline and returns its result', async () => {
    const run = await runJob(chargeCard, { orderId: 'o1' }, { attempt: 2, jobId: 'job-7' });
    expect(run).toEqual({ outcome: 'succeeded', result: { charged: 'o1', attempt: 2, jobId: 'job-7' } });
    if (run.outcome === 'succeeded') expect(run.result.charged).toBe('o1');
  });

  it('reports a retry after the backoff delay, without jitter by default', async () => {
    gateway.failuresLeft = 1;
    const run = await runJob(chargeCard, { orderId: 'o1' });
    expect(run).toEqual({ outcome: 'retry', delayMs: 10_000, error: expect.any(GatewayDown) });
  });

  it('uses the given random source for jitter', async () => {
    gateway.failuresLeft = 1;
    const run = await runJob(chargeCard, { orderId: 'o1' }, { random: () => 0.5 });
    expect(run).toMatchObject({ outcome: 'retry', delayMs: 12_500 });
  });

  it('reports the delay a job asked for with ctx.retryAfter', async () => {
    const run = await runJob(chargeCard, { orderId: 'o1', scenario: 'rate-limited' });
    expect(run).toMatchObject({ outcome: 'retry', delayMs: 120_000, error: { code: 'WHARF_RETRY_AFTER' } });
  });

  it('reports a dead job when the last attempt fails', async () => {
    gateway.failuresLeft = 1;
    const run = await runJob(chargeCard, { orderId: 'o1' }, { attempt: 3 });
    expect(run).toEqual({ outcome: 'dead', reason: 'retries-exhausted', error: expect.any(GatewayDown) });
  });

  it('reports a dead job for an error that retryOn does not list', async () => {
    const run = await runJob(chargeCard, { orderId: 'o1', scenario: 'bug' });
    expect(run).toEqual({ outcome: 'dead', reason: 'permanent-error', error: expect.any(TypeError) });
  });

  it('reports a discard for discardOn errors and ctx.discard', async () => {
    expect(await runJob(chargeCard, { orderId: 'o1', scenario: 'expired' })).toEqual({
      outcome: 'discarded',
      error: expect.any(CardExpired),
    });
    const cancelled = await runJob(chargeCard, { orderId: 'o1', scenario: 'cancelled' });
    expect(cancelled).toMatchObject({
      outcome: 'discarded',
      error: { code: 'WHARF_DISCARD', message: 'order was cancelled' },
    });
  });

  it('reports a dead job for a payload the schema rejects, as a worker would', async () => {
    const run = await runJob(chargeCard, { orderId: 7 } as never);
    expect(run).toEqual({
      outcome: 'dead',
      reason: 'permanent-error',
      error: expect.any(InvalidPayloadError),
    });
  });

  it('captures the jobs it enqueues when test mode is on', async () => {
    await runJob(generateReport, { reportId: 'r1', ownerId: 'o1' });
    jobs.assertEnqueued(notifyOwner, { reportId: 'r1', ownerId: 'o1' });
  });

  it('passes progress reports to onProgress', async () => {
    const reports: unknown[] = [];
    await runJob(importRows, { rows: 2 }, { onProgress: (progress) => reports.push(progress) });
    expect(reports).toEqual([
      { done: 1, total: 2 },
      { done: 2, total: 2 },
    ]);
  });

  it('rejects an attempt number below 1', async () => {
    await expect(runJob(sendWelcome, { userId: 'u1' }, { attempt: 0 })).rejects.toThrow(
      /attempt: expected an integer from 1/,
    );
  });
});

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (error: Error) => error,
  );
}

describe('performEnqueued with flow control', () => {
  it('holds a throttled job until its reserved start on the test clock, then runs it as attempt 1', async () => {
    const ran: number[] = [];
    const callPartner = defineJob({
      name: 'callPartnerOncePerMinute',
      schema: z.object({ n: z.number() }),
      throttle: { limit: 1, period: '1m' },
      perform({ n }, ctx) {
        ran.push(n * 10 + ctx.attempt);
      },
    });
    await callPartner.performLater({ n: 1 });
    await callPartner.performLater({ n: 2 });
    await jobs.performEnqueued();
    expect(ran).toEqual([11]);
    // The second is put off until the start the throttle reserved for it, a minute on; it used no attempt.
    expect(jobs.count()).toBe(1);
    jobs.travel('59s');
    await jobs.performEnqueued();
    expect(ran).toEqual([11]);
    jobs.travel('1s');
    await jobs.performEnqueued();
    expect(ran).toEqual([11, 21]);
  });
});

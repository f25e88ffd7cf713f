import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enableTestMode, type TestJobs } from '../../src/testing/index';
import { chargeCard, gateway, outbox, resetFakes, START, shipOrder } from '../helpers/testing-jobs';

// What wharf-jobs/testing gets from running the real engine rather than a copy of its rules.
let jobs: TestJobs;
beforeEach(() => {
  resetFakes();
  jobs = enableTestMode({ now: START });
});
afterEach(() => jobs.restore());

describe('test mode on the engine', () => {
  it('runs an exactly-once job id again after clear(), which also forgets the job state', async () => {
    await shipOrder.performLater({ orderId: 'o1' });
    await jobs.performEnqueued();
    jobs.clear();
    await shipOrder.performLater({ orderId: 'o1' });
    expect((await jobs.performEnqueued()).performed.map((job) => job.outcome)).toEqual(['succeeded']);
    expect(outbox).toEqual(['shipped o1', 'shipped o1']);
  });

  it('keeps the retry the engine scheduled when a failure stops the drain', async () => {
    gateway.failuresLeft = 1;
    await chargeCard.performLater({ orderId: 'o1' });
    await expect(jobs.performEnqueued()).rejects.toThrow(
      'The engine would retry it in 10s as attempt 2 of 3',
    );
    expect(jobs.enqueued(chargeCard).map((job) => [job.attempt, job.runAtMs - job.enqueuedAtMs])).toEqual([
      [2, 10_000],
    ]);
  });

  it('makes a jittered retry due when the queue would deliver it, in whole seconds', async () => {
    jobs.restore();
    jobs = enableTestMode({ now: START, random: () => 0.5 });
    gateway.failuresLeft = 1;
    await chargeCard.performLater({ orderId: 'o1' });
    const { failed } = await jobs.performEnqueued({ onFailure: 'collect' });
    expect(failed).toMatchObject([{ outcome: 'retry', delayMs: 12_500 }]);
    jobs.assertEnqueued(chargeCard, { orderId: 'o1' }, { delay: '13s' });
  });
});

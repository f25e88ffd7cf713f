import { afterEach, describe, expect, it } from 'vitest';
import { defineJob } from 'wharf-jobs';
import { enableTestMode, type TestJobs } from 'wharf-jobs/testing';
import { z } from 'zod';

const order = z.object({ orderId: z.string(), n: z.number().int() });

// wharf-jobs/testing behaves as the client and the engine do: duplicates are answered at enqueue, a debounced
// burst runs once, and what never runs is reported as what it was.
describe('test mode and enqueue control', () => {
  let jobs: TestJobs | undefined;
  afterEach(() => jobs?.restore());

  it('answers a second enqueue of a unique key as a duplicate, runs the job once, and frees the key after it', async () => {
    jobs = enableTestMode({ now: new Date('2026-12-01T10:00:00Z') });
    const charge = defineJob({
      name: 'charge-order',
      schema: order,
      unique: { key: (p) => p.orderId, until: 'finished' },
      perform: ({ n }) => n,
    });
    const first = await charge.performLater({ orderId: 'o1', n: 1 });
    const second = await charge.performLater({ orderId: 'o1', n: 2 });
    expect(second).toMatchObject({ outcome: 'duplicate', jobId: first.jobId });
    expect(jobs.count(charge)).toBe(1);
    await jobs.performEnqueued();
    expect(jobs.performed(charge)).toEqual([expect.objectContaining({ outcome: 'succeeded', result: 1 })]);
    expect((await charge.performLater({ orderId: 'o1', n: 3 })).outcome).toBe('enqueued');
  });

  it('runs a debounced burst once with its last payload once the clock passes its wait, reporting the others as debounced', async () => {
    jobs = enableTestMode({ now: new Date('2026-12-01T10:00:00Z') });
    const index = defineJob({
      name: 'index-doc',
      schema: order,
      debounce: { key: (p) => p.orderId, wait: '30s' },
      perform: ({ n }) => n,
    });
    for (let n = 1; n <= 3; n++) await index.performLater({ orderId: 'd1', n });
    await jobs.performEnqueued();
    expect(jobs.performed(index)).toEqual([]);
    jobs.travel('30s');
    await jobs.performEnqueued();
    jobs.travel('10s');
    await jobs.performEnqueued();
    expect(
      jobs
        .performed(index)
        .map((p) => p.outcome)
        .sort(),
    ).toEqual(['debounced', 'debounced', 'succeeded']);
    expect(jobs.performed(index).find((p) => p.outcome === 'succeeded')).toMatchObject({ result: 3 });
  });

  it('reports a job past its expiry as expired, never run', async () => {
    jobs = enableTestMode({ now: new Date('2026-12-01T10:00:00Z') });
    const remind = defineJob({ name: 'remind', schema: order, expiresIn: '1m', perform: ({ n }) => n });
    await remind.performLater({ orderId: 'o1', n: 1 });
    jobs.travel('2m');
    await jobs.performEnqueued();
    expect(jobs.performed(remind)).toEqual([expect.objectContaining({ outcome: 'expired' })]);
  });
});

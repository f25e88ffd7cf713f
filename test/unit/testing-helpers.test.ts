import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defineJob,
  type Enqueuer,
  InvalidOptionsError,
  InvalidPayloadError,
  performAllLater,
  setDefaultEnqueuer,
} from '../../src/index';
import { enableTestMode, JobAssertionError, type TestJobs } from '../../src/testing/index';
import {
  generateReport,
  HOUR,
  notifyOwner,
  outbox,
  resetFakes,
  START,
  sendReminder,
  sendWelcome,
} from '../helpers/testing-jobs';

let jobs: TestJobs;
beforeEach(() => {
  resetFakes();
  jobs = enableTestMode({ now: START });
});
afterEach(() => jobs.restore());

describe('enableTestMode', () => {
  it('captures performLater instead of sending', async () => {
    const enqueued = await sendWelcome.performLater({ userId: 'u1' });
    expect(enqueued).toEqual({
      outcome: 'enqueued',
      jobId: expect.any(String),
      jobName: 'sendWelcome',
      queue: 'default',
      runAtMs: START.getTime(),
    });
    expect(jobs.enqueued()).toEqual([
      {
        jobName: 'sendWelcome',
        jobId: enqueued.jobId,
        queue: 'default',
        payload: { userId: 'u1' },
        attempt: 1,
        enqueuedAtMs: START.getTime(),
        runAtMs: START.getTime(),
      },
    ]);
    expect(outbox).toEqual([]);
  });

  it('captures performAllLater in bulk', async () => {
    const result = await performAllLater([
      sendWelcome.with({ userId: 'u1' }),
      sendReminder.with({ userId: 'u1' }, { delay: '1h' }),
    ]);
    expect(result.failed).toEqual([]);
    expect(result.enqueued.map((job) => job.jobName)).toEqual(['sendWelcome', 'sendReminder']);
    expect(jobs.count()).toBe(2);
  });

  it('rejects an invalid payload at enqueue, as production does', async () => {
    await expect(sendWelcome.performLater({ userId: 42 } as never)).rejects.toThrow(InvalidPayloadError);
    await expect(sendWelcome.performLater({ userId: 42 } as never)).rejects.toThrow(/userId/);
    expect(jobs.count()).toBe(0);
  });

  it('validates the payload after a JSON round trip, as production does', async () => {
    const remind = defineJob({ name: 'remindAt', schema: z.object({ at: z.date() }), perform: () => {} });
    await expect(remind.performLater({ at: new Date() })).rejects.toMatchObject({
      code: 'WHARF_INVALID_PAYLOAD',
    });
  });

  it('rejects unknown enqueue options and a whole bulk enqueue with one bad job', async () => {
    await expect(sendWelcome.performLater({ userId: 'u1' }, { wait: '1h' } as never)).rejects.toThrow(
      InvalidOptionsError,
    );
    await expect(
      performAllLater([sendWelcome.with({ userId: 'u1' }), sendWelcome.with({} as never)]),
    ).rejects.toThrow(/nothing was sent/);
    expect(jobs.count()).toBe(0);
  });

  it('puts the previous enqueuer back on restore', async () => {
    jobs.restore();
    const sent: string[] = [];
    const spy: Enqueuer = {
      enqueue: async (request) => {
        sent.push(request.job.name);
        return { outcome: 'enqueued', jobId: 'spy', jobName: request.job.name, queue: 'default', runAtMs: 0 };
      },
      enqueueMany: async () => ({ enqueued: [], duplicates: [], failed: [] }),
    };
    setDefaultEnqueuer(spy);
    try {
      const inner = enableTestMode();
      await sendWelcome.performLater({ userId: 'captured' });
      inner.restore();
      await sendWelcome.performLater({ userId: 'sent' });
      expect(inner.count()).toBe(1);
      expect(sent).toEqual(['sendWelcome']);
    } finally {
      setDefaultEnqueuer(undefined);
    }
  });

  it('starts its clock at the current time by default', () => {
    const before = Date.now();
    const other = enableTestMode();
    other.restore();
    expect(other.now().getTime()).toBeGreaterThanOrEqual(before);
    expect(other.now().getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describe('assertEnqueued', () => {
  it('passes when a job matches a partial payload, and returns the matches typed', async () => {
    await sendWelcome.performLater({ userId: 'u1', tags: ['trial', 'eu'] });
    const [match] = jobs.assertEnqueued(sendWelcome, { userId: 'u1' });
    expect(match?.payload.tags).toEqual(['trial', 'eu']);
    jobs.assertEnqueued(sendWelcome);
    jobs.assertEnqueued(sendWelcome, { tags: ['trial', expect.stringMatching(/^e/)] });
  });

  it('fails with the enqueued jobs and the reason the nearest one differs', async () => {
    await sendWelcome.performLater({ userId: 'u1' });
    await sendReminder.performLater({ userId: 'u1' }, { delay: '1h' });
    expect(() => jobs.assertEnqueued(sendWelcome, { userId: 'u2' })).toThrow(
      new JobAssertionError(
        [
          'Expected a sendWelcome job with payload matching {"userId":"u2"} to be enqueued, but none matches.',
          'Enqueued jobs (2):',
          '  - sendWelcome {"userId":"u1"} (queue default, no delay)',
          '      ^ not a match: payload.userId: expected "u2", received "u1"',
          '  - sendReminder {"userId":"u1"} (queue default, delay 1h, at 2026-03-01T10:00:00.000Z)',
        ].join('\n'),
      ),
    );
  });

  it('says so when nothing was enqueued at all', () => {
    expect(() => jobs.assertEnqueued(sendWelcome)).toThrow(
      'Expected a sendWelcome job to be enqueued, but none matches.\nNo jobs are enqueued.',
    );
  });

  it('requires arrays to match in length', async () => {
    await sendWelcome.performLater({ userId: 'u1', tags: ['trial', 'eu'] });
    expect(() => jobs.assertEnqueued(sendWelcome, { tags: ['trial'] })).toThrow(
      'payload.tags: expected 1 items, received 2: ["trial","eu"]',
    );
  });

  it('checks delay, time and queue against when the job was enqueued', async () => {
    jobs.travel('5m');
    await sendReminder.performLater({ userId: 'u1' }, { delay: '1h' });
    await generateReport.performLater({ reportId: 'r1', ownerId: 'o1' });
    jobs.assertEnqueued(sendReminder, { userId: 'u1' }, { delay: '1h' });
    jobs.assertEnqueued(sendReminder, {}, { at: new Date(START.getTime() + 5 * 60_000 + HOUR) });
    jobs.assertEnqueued(generateReport, { reportId: 'r1' }, { queue: 'reports' });
    expect(() => jobs.assertEnqueued(sendReminder, {}, { delay: '2h' })).toThrow(
      'delay: expected 2h, received 1h',
    );
    expect(() => jobs.assertEnqueued(generateReport, {}, { queue: 'default' })).toThrow(
      'queue: expected default, received reports',
    );
    expect(() => jobs.assertEnqueued(sendReminder, {}, { at: START })).toThrow(
      'at: expected 2026-03-01T09:00:00.000Z, received 2026-03-01T10:05:00.000Z',
    );
  });

  it('checks an exact count when given one', async () => {
    await sendWelcome.performLater({ userId: 'u1' });
    await sendWelcome.performLater({ userId: 'u1' });
    jobs.assertEnqueued(sendWelcome, { userId: 'u1' }, { count: 2 });
    jobs.assertEnqueued(sendWelcome, { userId: 'u9' }, { count: 0 });
    expect(() => jobs.assertEnqueued(sendWelcome, { userId: 'u1' }, { count: 1 })).toThrow(
      /^Expected 1 sendWelcome job with payload matching \{"userId":"u1"\} to be enqueued, found 2\./,
    );
  });

  it('rejects a count that is not a whole number', () => {
    expect(() => jobs.assertEnqueued(sendWelcome, {}, { count: -1 })).toThrow(InvalidOptionsError);
  });

  it('truncates long payloads and long lists in its message', async () => {
    await sendWelcome.performLater({ userId: 'x'.repeat(500) });
    for (let i = 0; i < 20; i++) await sendReminder.performLater({ userId: `u${i}` });
    const error = catchError(() => jobs.assertEnqueued(notifyOwner));
    expect(error).toBeInstanceOf(JobAssertionError);
    expect(error.message).toContain(`{"userId":"${'x'.repeat(100)}`);
    expect(error.message).not.toContain('x'.repeat(120));
    expect(error.message).toContain('  ... and 6 more');
  });

  it('types the payload pattern from the job', () => {
    // @ts-expect-error userId is a string in sendWelcome's schema
    expect(() => jobs.assertEnqueued(sendWelcome, { userId: 42 })).toThrow(JobAssertionError);
    // @ts-expect-error sendWelcome has no orderId
    expect(() => jobs.assertEnqueued(sendWelcome, { orderId: 'o1' })).toThrow(JobAssertionError);
  });
});

describe('assertNotEnqueued', () => {
  it('passes when no job matches', async () => {
    await sendWelcome.performLater({ userId: 'u1' });
    jobs.assertNotEnqueued(sendWelcome, { userId: 'u2' });
    jobs.assertNotEnqueued(sendReminder);
  });

  it('fails pointing at the jobs that match', async () => {
    await sendWelcome.performLater({ userId: 'u1' });
    await sendWelcome.performLater({ userId: 'u2' });
    expect(() => jobs.assertNotEnqueued(sendWelcome, { userId: 'u2' })).toThrow(
      [
        'Expected no sendWelcome job with payload matching {"userId":"u2"} to be enqueued, found 1.',
        'Enqueued jobs (2):',
        '  - sendWelcome {"userId":"u1"} (queue default, no delay)',
        '  - sendWelcome {"userId":"u2"} (queue default, no delay)',
        '      ^ matches',
      ].join('\n'),
    );
  });
});

describe('enqueued, count and clear', () => {
  it('list and count the waiting jobs, of one job when given', async () => {
    await sendWelcome.performLater({ userId: 'u1' });
    await sendReminder.performLater({ userId: 'u1' }, { delay: '1h' });
    expect(jobs.count()).toBe(2);
    expect(jobs.count(sendReminder)).toBe(1);
    const [reminder] = jobs.enqueued(sendReminder);
    expect(reminder?.payload.userId).toBe('u1');
    expect(reminder && reminder.runAtMs - reminder.enqueuedAtMs).toBe(HOUR);
  });

  it('clear forgets enqueued and performed jobs', async () => {
    await sendWelcome.performLater({ userId: 'u1' });
    await jobs.performEnqueued();
    await sendWelcome.performLater({ userId: 'u2' });
    jobs.clear();
    expect(jobs.count()).toBe(0);
    expect(jobs.performed()).toEqual([]);
  });
});

describe('travel, travelTo and now', () => {
  it('move the test clock forward and report its time', () => {
    expect(jobs.now()).toEqual(START);
    expect(jobs.travel('90m')).toEqual(new Date('2026-03-01T10:30:00.000Z'));
    expect(jobs.travelTo(new Date('2026-03-02T00:00:00.000Z'))).toEqual(jobs.now());
    expect(jobs.clock.nowMs()).toBe(Date.parse('2026-03-02T00:00:00.000Z'));
  });

  it('refuse to go back in time', () => {
    expect(() => jobs.travelTo(new Date(START.getTime() - 1))).toThrow(
      'expected a valid Date not before the test clock (2026-03-01T09:00:00.000Z), received 2026-03-01T08:59:59.999Z',
    );
  });

  it('stamp jobs enqueued later with the later time', async () => {
    jobs.travel('1d');
    const { runAtMs } = await sendWelcome.performLater({ userId: 'u1' });
    expect(runAtMs).toBe(START.getTime() + 24 * HOUR);
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

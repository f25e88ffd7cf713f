import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { JobCounts, JobDetail } from '../../src/ops/types';
import { EXPIRED_JOB_ID } from '../fixtures/cancel-app';
import { localWharf } from '../helpers/local-cli';

// `wharf cancel`, `wharf jobs --status expired|cancelled` and `wharf jobs counts` on the embedded engine
// (--local), whose state is kept in .wharf/ from one command to the next. A job on its queue is held there by
// pausing the queue: the embedded engine otherwise runs what a command enqueued before the command ends. The
// same commands against moto are in cli-cancel-aws.test.ts.
describe('wharf cancel (--local)', () => {
  let cwd: string;
  const wharf = localWharf('test/fixtures/cancel-app.ts', () => cwd);
  const json = async <T>(...args: string[]): Promise<T> => {
    const run = await wharf('--json', ...args);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  const waitingOnQueue = async (job: string): Promise<string> => {
    await json('pause', 'queue', 'default', '--yes');
    const { jobId } = await json<{ jobId: string }>('enqueue', job, '--payload', '{"orderId":"o1"}');
    return jobId;
  };

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'wharf-cancel-'));
  });

  it('cancels a job on its queue only once confirmed, and the job never runs', async () => {
    const jobId = await waitingOnQueue('charge-card');
    const unconfirmed = await wharf('cancel', jobId);
    expect(unconfirmed.code).toBe(5);
    expect(unconfirmed.stderr).toMatch(new RegExp(`Cancel job "${jobId}"\\?.*add --yes`));
    // Nothing was written: the queue is paused, so no run has even seen the job.
    expect((await wharf('jobs', 'show', jobId)).code).toBe(4);

    const cancelled = await wharf('cancel', jobId, '--yes');
    expect(cancelled.code).toBe(0);
    // No run has seen the id, and a random id does not say its job: the note says which jobs it would not stop.
    expect(cancelled.stdout).toBe(
      `cancelled job "${jobId}" on its queue: a cancellation is recorded that its claim honours, so its message is acknowledged without running (status cancelled)\n` +
        'note: If it is a job of "send-note", it runs anyway: their runs do not claim before they start, so only a job whose runs claim honours it.\n',
    );

    // Resumed, the engine receives the job: its claim finds the cancellation and acknowledges it unrun.
    await json('resume', 'queue', 'default', '--yes');
    const detail = await json<JobDetail>('jobs', 'show', jobId);
    expect(detail.record).toMatchObject({ jobId, status: 'cancelled', attempt: 0 });
    expect(detail.record?.startedAtMs).toBeUndefined();
    expect(detail.record?.result).toBeUndefined();
    expect(await json('queues')).toEqual([
      expect.objectContaining({ queue: 'default', visible: 0, inFlight: 0 }),
    ]);

    const shown = await wharf('jobs', 'show', jobId);
    expect(shown.stdout).toMatch(/status:\s+cancelled\n/);
    expect(shown.stdout).toMatch(/why:\s+cancelled before it started\n/);
    expect(shown.stdout).toMatch(/cancel requested:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+[smh] ago\)\n/);
    // `wharf jobs --status` lists, as `wharf jobs list --status` does.
    const listed = await wharf('jobs', '--status', 'cancelled');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^UPDATED\s+STATUS\s+JOB\s+JOB ID\s+ATTEMPT\s+NOTE\n/);
    expect(listed.stdout).toMatch(
      new RegExp(`cancelled\\s+\\S+\\s+${jobId}\\s+0\\s+cancelled before it started`),
    );

    // A second cancel finds it ended: nothing changes, and the exit code says so.
    const again = await wharf('cancel', jobId, '--yes');
    expect(again.code).toBe(6);
    expect(again.stdout).toBe(`did not cancel job "${jobId}"\nwhy: it had already ended (cancelled)\n`);
  });

  it('exits 6 for a job whose runs do not claim, says how to make it cancellable, and the job runs', async () => {
    // A paused job type is put off at claim with a record, so the record names the job to the cancel.
    await json('pause', 'job', 'send-note', '--yes');
    const { jobId } = await json<{ jobId: string }>('enqueue', 'send-note', '--payload', '{}');
    expect(await json<JobDetail>('jobs', 'show', jobId)).toMatchObject({ record: { status: 'queued' } });
    const refused = await wharf('cancel', jobId, '--yes');
    expect(refused.code).toBe(6);
    expect(refused.stdout).toMatch(
      /^did not cancel job ".+"\nwhy: job "send-note" is tracked: its runs do not claim before they start, so a message on its queue cannot be stopped\. Give it idempotency: 'exactly-once'/,
    );
    const asJson = await wharf('--json', 'cancel', jobId, '--yes');
    expect(asJson.code).toBe(6);
    expect(JSON.parse(asJson.stdout)).toEqual({
      outcome: 'not-cancelled',
      jobId,
      reason: expect.stringContaining('exactly-once'),
    });
    await json('resume', 'job', 'send-note', '--yes');
    expect(await json<JobDetail>('jobs', 'show', jobId)).toMatchObject({
      record: { status: 'succeeded', result: 'sent' },
    });
  });

  it('says that a cancel of an id no run has seen holds only for jobs whose runs claim, and it is so', async () => {
    const jobId = await waitingOnQueue('send-note');
    const result = await json<{ outcome: string; where: string; note: string }>('cancel', jobId, '--yes');
    expect(result).toMatchObject({ outcome: 'cancelled', where: 'queue' });
    expect(result.note).toMatch(/If it is a job of "send-note", it runs anyway/);
    await json('resume', 'queue', 'default', '--yes');
    // As the note said: a tracked job does not claim, so nothing stopped it.
    expect(await json<JobDetail>('jobs', 'show', jobId)).toMatchObject({
      record: { status: 'succeeded', result: 'sent' },
    });
  });

  it('lists expired jobs with why, shows the reason, and counts every status', async () => {
    const listed = await wharf('jobs', '--status', 'expired');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(
        `expired\\s+charge-card\\s+${EXPIRED_JOB_ID}\\s+0\\s+expired 12s after it was due \\(expiresIn 1m\\)`,
      ),
    );
    const shown = await wharf('jobs', 'show', EXPIRED_JOB_ID);
    expect(shown.stdout).toMatch(/status:\s+expired\nwhy:\s+expired 12s after it was due \(expiresIn 1m\)\n/);

    const jobId = await waitingOnQueue('charge-card');
    await json('cancel', jobId, '--yes');
    const counts = await json<JobCounts>('jobs', 'counts');
    expect(counts).toEqual({
      byStatus: {
        queued: 0,
        running: 0,
        succeeded: 0,
        retrying: 0,
        dead: 0,
        discarded: 0,
        expired: 1,
        cancelled: 1,
      },
      read: 2,
      complete: true,
    });
    const table = await wharf('jobs', 'counts');
    expect(table.stdout).toMatch(/^STATUS\s+JOBS\nqueued\s+0\n/);
    expect(table.stdout).toMatch(/\nexpired\s+1\ncancelled\s+1\n2 job records in all\n$/);
    const partial = await wharf('jobs', 'counts', '--max', '1');
    expect(partial.stdout).toMatch(/the first 1 records read only \(the table holds more\)/);
  });

  it('enqueues with --expires-in, and says when the job expires', async () => {
    const enqueued = await json<{ runAtMs: number; expiresAtMs?: number }>(
      'enqueue',
      'charge-card',
      '--payload',
      '{}',
      '--delay',
      '10m',
      '--expires-in',
      '1h',
    );
    expect(enqueued.expiresAtMs).toBe(enqueued.runAtMs + 3_600_000);
    expect((await wharf('enqueue', 'charge-card', '--payload', '{}', '--expires-in', 'soon')).code).toBe(2);
  });

  it('exits 2 for a cancel without a job id', async () => {
    expect((await wharf('cancel')).code).toBe(2);
    expect((await wharf('cancel', ' ', '--yes')).code).toBe(2);
  });
});

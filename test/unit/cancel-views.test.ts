import { describe, expect, it } from 'vitest';
import { describeJobDetail } from '../../src/cli/describe';
import { jobPage } from '../../src/dashboard/pages/job';
import { canCancel, cancelText, jobNote } from '../../src/ops/cancel-text';
import { UNKNOWN_JOB_NAME } from '../../src/store/record-change';
import type { JobRecord } from '../../src/store/types';
import { textOf } from '../helpers/dashboard-http';

const NOW = Date.UTC(2026, 11, 1, 12);
const base: JobRecord = {
  jobId: 'pack-1',
  jobName: 'pack-parcel',
  queue: 'parcels',
  status: 'running',
  attempt: 1,
  nextAttempt: 2,
  fence: 1,
  createdAtMs: NOW - 60_000,
  updatedAtMs: NOW - 5_000,
  startedAtMs: NOW - 30_000,
  expiresAtSec: NOW / 1000 + 3_600,
};

// What the CLI and the dashboard say of cancelled, expired and cancel-requested jobs: the states a running
// engine needs several processes to show at once (a run in flight while an operator cancels it), so they are
// rendered here from records as the store keeps them.
describe('the views of cancel', () => {
  it('says a cancel was requested of a running job, and what that does to its run', () => {
    const record = { ...base, cancelRequestedAtMs: NOW - 2_000 };
    const cli = describeJobDetail('pack-1', { record, deadLetters: [] }, NOW);
    expect(cli).toMatch(
      /\ncancel requested: 2026-12-01 11:59:58Z \(2s ago\): its ctx\.signal aborts at its next heartbeat in a worker process \(on Lambda it runs to its end\), and no retry of it starts\n/,
    );
    const page = textOf(jobPage('pack-1', { record, deadLetters: [] }, NOW, true).value);
    expect(page).toMatch(/Status running Cancel requested 2026-12-01 11:59:58Z: its ctx\.signal aborts/);
    expect(page).toMatch(/^Cancel job /); // still running: Cancel is still offered
    expect(jobNote(record)).toBe('cancel requested');
  });

  it('shows a cancellation recorded before any run as a job whose name is not known yet', () => {
    const record: JobRecord = {
      ...base,
      jobName: UNKNOWN_JOB_NAME,
      queue: UNKNOWN_JOB_NAME,
      status: 'cancelled',
      attempt: 0,
      startedAtMs: undefined,
      cancelRequestedAtMs: NOW - 1_000,
      skippedReason: 'cancelled before it started',
    };
    const cli = describeJobDetail('pack-1', { record, deadLetters: [] }, NOW);
    expect(cli).toMatch(
      /^job:\s+not known yet \(cancelled before any run of it was claimed\)\nid:\s+pack-1\nstatus:\s+cancelled\nwhy:\s+cancelled before it started\n/,
    );
    expect(cli).not.toMatch(/queue:/);
    const page = textOf(jobPage('pack-1', { record, deadLetters: [] }, NOW, true).value);
    expect(page).toMatch(/Job not known yet: cancelled before any run of it was claimed Status cancelled/);
    expect(page).not.toMatch(/Cancel job/); // it has ended
    expect(canCancel(record)).toBe(false);
  });

  it('offers Cancel only for jobs that have not ended', () => {
    const offered = ['queued', 'retrying', 'running'] as const;
    for (const status of offered) expect(canCancel({ ...base, status })).toBe(true);
    for (const status of ['succeeded', 'dead', 'discarded', 'expired', 'cancelled'] as const)
      expect(canCancel({ ...base, status })).toBe(false);
    expect(canCancel(undefined)).toBe(true); // no record: on its queue or in a schedule, as far as anyone knows
    expect(
      jobPage('pack-1', { record: { ...base, status: 'queued' }, deadLetters: [] }, NOW, false).value,
    ).not.toContain('action="/cancel"'); // read-only
  });

  it('words every outcome of a cancel, never "done" for nothing', () => {
    expect(cancelText({ outcome: 'cancelled', jobId: 'a', where: 'schedule' })).toEqual({
      headline: 'cancelled job "a": its schedule was deleted before it fired, so it never runs',
      details: [],
    });
    expect(
      cancelText({ outcome: 'cancelled', jobId: 'a', where: 'queue', note: 'did you mean "x:a"?' }),
    ).toEqual({
      headline:
        'cancelled job "a" on its queue: a cancellation is recorded that its claim honours, so its message is acknowledged without running (status cancelled)',
      details: ['did you mean "x:a"?'],
    });
    expect(cancelText({ outcome: 'signalled', jobId: 'a', reason: 'it is running' })).toEqual({
      headline: 'asked running job "a" to stop',
      details: ['it is running'],
    });
    expect(
      cancelText({ outcome: 'not-cancelled', jobId: 'a', reason: 'it had already ended (dead)' }),
    ).toEqual({
      headline: 'did not cancel job "a"',
      details: ['it had already ended (dead)'],
    });
  });
});

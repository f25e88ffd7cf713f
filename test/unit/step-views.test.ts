import { describe, expect, it } from 'vitest';
import { describeJobDetail } from '../../src/cli/describe';
import { jobPage } from '../../src/dashboard/pages/job';
import type { JobRecord } from '../../src/store/types';
import { textOf } from '../helpers/dashboard-http';

const NOW = Date.UTC(2026, 11, 1, 12);
const HOUR = 3_600_000;

// What the CLI and the dashboard say of a job with durable steps that sleeps: rendered from the record as the
// store keeps it (README "Durable steps").
describe('the views of durable steps', () => {
  const record: JobRecord = {
    jobId: 'order-o1',
    jobName: 'fulfil-order',
    queue: 'default',
    status: 'queued',
    attempt: 1,
    nextAttempt: 1,
    fence: 1,
    createdAtMs: NOW - 60_000,
    updatedAtMs: NOW - 1_000,
    startedAtMs: NOW - 30_000,
    expiresAtSec: NOW / 1000 + 3_600,
    deferred: { why: 'sleep', untilMs: NOW + 2 * HOUR, count: 1 },
    steps: {
      '~sleep:1': { atMs: NOW - 1_000, wakeAtMs: NOW + 2 * HOUR },
      charge: { atMs: NOW - 2_000, result: { id: 'ch-1' } },
    },
  };

  it('lists the steps done in the order they completed, and says until when the job sleeps', () => {
    const cli = describeJobDetail('order-o1', { record, deadLetters: [] }, NOW);
    expect(cli).toMatch(/\nwaiting:\s+put off: sleeping \(ctx\.sleep\) until 14:00:00Z, 1 time\n/);
    expect(cli).toMatch(/\nsteps done: charge, slept 1$/);
    const page = textOf(jobPage('order-o1', { record, deadLetters: [] }, NOW, true).value);
    expect(page).toMatch(/Waiting put off: sleeping \(ctx\.sleep\) until 14:00:00Z, 1 time/);
    expect(page).toMatch(
      /Steps done Step When Result charge 2026-12-01 11:59:58Z \{\s*"id": "ch-1"\s*\} sleep 1 2026-12-01 11:59:59Z until 2026-12-01 14:00:00Z/,
    );
  });
});

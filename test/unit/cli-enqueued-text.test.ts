import { describe, expect, it } from 'vitest';
import { enqueuedText } from '../../src/cli/commands';

const NOW = Date.UTC(2026, 11, 1, 12);
const job = { jobName: 'charge-order', queue: 'default', runAtMs: NOW } as const;

// What `wharf enqueue` prints for each outcome of an enqueue under enqueue control (README "Enqueue control").
describe('the line wharf enqueue prints', () => {
  it('names the job that holds the key of a duplicate, and says nothing was sent', () => {
    expect(enqueuedText({ ...job, outcome: 'duplicate', jobId: 'charge-order:o1' }, NOW)).toBe(
      'not enqueued: a duplicate of charge-order charge-order:o1, which holds its unique key (nothing was sent)',
    );
  });

  it('says how many enqueues a debounced burst holds, and when an expiring job expires', () => {
    expect(
      enqueuedText(
        {
          ...job,
          outcome: 'enqueued',
          jobId: 'j1',
          lane: 'high',
          debounced: { count: 3 },
          expiresAtMs: NOW + 3_600_000,
        },
        NOW,
      ),
    ).toBe(
      'enqueued charge-order j1 on queue default, lane high\n' +
        'debounced: 3 enqueues in its burst so far; it runs with the last payload\n' +
        'expires 2026-12-01 13:00:00Z (in 1h) unless started by then',
    );
    expect(enqueuedText({ ...job, outcome: 'enqueued', jobId: 'j2' }, NOW)).toBe(
      'enqueued charge-order j2 on queue default',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { costPer1000Runs } from '../../src/ops/job-cost';
import { resolveStatsWindow } from '../../src/ops/stats-window';

describe('cost per 1,000 runs', () => {
  it('adds SQS, Lambda requests and GB-seconds, DynamoDB writes and Scheduler as worked out by hand', () => {
    const cost = costPer1000Runs({
      meanDurationMs: 100,
      memoryMb: 1024,
      memorySource: 'test',
      idempotency: 'tracked',
    });
    // SQS: 1.2 requests x 1,000 runs x $0.40 per million = $0.00048.
    expect(cost.sqs).toBeCloseTo(0.00048, 12);
    // Lambda: 100 invocations x $0.20 per million = $0.00002; 1 GB x 0.1 s x 1,000 = 100 GB-s x $0.0000166667.
    expect(cost.lambda).toBeCloseTo(0.00002 + 0.00166667, 12);
    // DynamoDB: 1 write unit x 1,000 x $0.625 per million.
    expect(cost.dynamodb).toBeCloseTo(0.000625, 12);
    expect(cost.scheduler).toBe(0);
    expect(cost.total).toBeCloseTo(0.00279167, 12);
    expect(cost.basis).toMatch(
      /Scheduler 0 \(the share of runs that waited beyond 15 minutes is not known\)/,
    );
  });

  it('prices exactly-once at two writes, memory at its size, and a known Scheduler share', () => {
    const cost = costPer1000Runs({
      meanDurationMs: 2000,
      memoryMb: 512,
      memorySource: 'test',
      idempotency: 'exactly-once',
      scheduledShare: 0.5,
    });
    expect(cost.dynamodb).toBeCloseTo(0.00125, 12);
    // 0.5 GB x 2 s x 1,000 = 1,000 GB-s.
    expect(cost.lambda).toBeCloseTo(0.00002 + 1000 * 0.0000166667, 12);
    // 500 invocations x $1.00 per million.
    expect(cost.scheduler).toBeCloseTo(0.0005, 12);
  });

  it('takes a job outside the registry for the default mode, tracked, and says it assumed so', () => {
    const cost = costPer1000Runs({ meanDurationMs: 0, memoryMb: 1024, memorySource: 'test' });
    expect(cost.dynamodb).toBeCloseTo(0.000625, 12);
    expect(cost.basis).toMatch(/idempotency tracked, assumed/);
    expect(
      costPer1000Runs({ meanDurationMs: 0, memoryMb: 1024, memorySource: 't', idempotency: 'off' }).dynamodb,
    ).toBe(0);
  });
});

describe('the stats window', () => {
  const now = Date.parse('2026-02-02T09:30:20Z');
  it('is the last hour in one-minute points, started on a whole minute', () => {
    const window = resolveStatsWindow({}, now);
    expect(window.sinceMs).toBe(Date.parse('2026-02-02T08:30:00Z'));
    expect(window.untilMs).toBe(now);
    expect(window.periodMs).toBe(60_000);
    expect(window.pointsAtMs).toHaveLength(61);
  });

  it('rounds a period up to whole minutes, and widens the default one for a long window', () => {
    expect(resolveStatsWindow({ periodMs: 90_000 }, now).periodMs).toBe(120_000);
    expect(resolveStatsWindow({ sinceMs: now - 24 * 3_600_000 }, now).periodMs).toBe(24 * 60_000);
  });

  it('names every problem of a query', () => {
    expect(() => resolveStatsWindow({ sinceMs: Number.NaN, periodMs: -1 }, now)).toThrow(
      /sinceMs: expected a number of milliseconds, received null[\s\S]*periodMs: expected more than 0/,
    );
  });
});

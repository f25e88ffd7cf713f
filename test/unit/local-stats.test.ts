import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { DurationSketch } from '../../src/local/duration-sketch';
import { JobStatsCollector, MAX_STATS_BUCKETS } from '../../src/local/job-stats';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import { restoreLocalEngine, snapshotLocalEngine } from '../../src/local/local-state';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { createLocalOps } from '../../src/ops/local-ops';
import type { Ops } from '../../src/ops/types';
import { createMemoryJobStore } from '../../src/store/memory-store';

const START = Date.parse('2026-02-02T09:00:30Z');
const MINUTE = 60_000;

describe('DurationSketch', () => {
  it('reads percentiles within 1% of the nearest-rank value, and the exact mean', () => {
    const sketch = new DurationSketch();
    for (let ms = 1; ms <= 1000; ms += 1) sketch.add(ms);
    // Nearest rank of 1..1000: p50 is the 500th value, p95 the 950th.
    expect(Math.abs(sketch.quantile(0.5)! - 500) / 500).toBeLessThanOrEqual(0.01);
    expect(Math.abs(sketch.quantile(0.95)! - 950) / 950).toBeLessThanOrEqual(0.01);
    expect(sketch.mean()).toBe(500.5);
    expect(sketch.count).toBe(1000);
  });

  it('reads small whole milliseconds exactly, under 1 ms as 0, and nothing when empty', () => {
    const sketch = new DurationSketch();
    expect(sketch.quantile(0.5)).toBeNull();
    expect(sketch.mean()).toBeNull();
    for (const ms of [0, 0.4, 3, 7, 7, 12, 40]) sketch.add(ms);
    expect(sketch.quantile(0.2)).toBe(0);
    expect(sketch.quantile(0.5)).toBe(7);
    expect(sketch.quantile(1)).toBe(40);
    sketch.add(-5); // a clock set back is no duration
    expect(sketch.count).toBe(7);
  });

  it('stays bounded: a million durations over a wide range keep at most a few hundred bins', () => {
    const sketch = new DurationSketch();
    for (let i = 0; i < 1_000_000; i += 1) sketch.add(1 + (i % 100_000));
    expect(Object.keys(sketch.toJSON().bins).length).toBeLessThan(600);
    expect(sketch.count).toBe(1_000_000);
  });

  it('survives JSON and merges by adding', () => {
    const a = new DurationSketch();
    const b = new DurationSketch();
    for (const ms of [10, 20, 30]) a.add(ms);
    for (const ms of [40, 50]) b.add(ms);
    const copy = DurationSketch.from(JSON.parse(JSON.stringify(a.toJSON())));
    copy.merge(b);
    expect(copy.count).toBe(5);
    expect(copy.mean()).toBe(30);
    expect(copy.quantile(0.5)).toBe(30);
    expect(copy.quantile(1)).toBe(50);
  });
});

describe('JobStatsCollector', () => {
  it('keeps at most MAX_STATS_BUCKETS buckets, the oldest dropped first', () => {
    const stats = new JobStatsCollector();
    for (let i = 0; i <= MAX_STATS_BUCKETS; i += 1)
      stats.record({ type: 'duplicate', queue: 'default', jobName: 'j', atMs: i * MINUTE });
    const kept = stats.bucketsIn(0, Number.MAX_SAFE_INTEGER);
    expect(kept).toHaveLength(MAX_STATS_BUCKETS);
    expect(kept[0]!.atMs).toBe(MINUTE);
  });

  it('restores a saved state, skipping a bucket that is not one (a hand-edited file) instead of failing', () => {
    const stats = new JobStatsCollector();
    stats.record({ type: 'succeeded', queue: 'default', jobName: 'j', jobId: 'a', durationMs: 40, atMs: 5 });
    const saved = stats.snapshot();
    const next = new JobStatsCollector();
    next.restore({ ...saved, buckets: [...saved.buckets, { atMs: 'x' } as never] });
    const [bucket] = next.bucketsIn(0, MINUTE);
    expect(next.bucketsIn(0, Number.MAX_SAFE_INTEGER)).toHaveLength(1);
    expect(bucket).toMatchObject({ job: 'j', outcomes: { succeeded: 1 } });
    expect(bucket!.durations.quantile(0.5)).toBe(40);
  });

  it('times a failed run from its start to its outcome, and counts a poison message under a name of its own', () => {
    const stats = new JobStatsCollector();
    const base = { queue: 'default/high', jobName: 'j', jobId: 'a', attempt: 1 };
    stats.record({ ...base, type: 'started', latencyMs: 0, atMs: 1_000 });
    stats.record({
      ...base,
      type: 'retrying',
      delayMs: 1,
      error: { name: 'Error', message: 'x' },
      atMs: 1_250,
    });
    stats.record({
      type: 'dead',
      queue: 'default',
      reason: 'poison',
      error: { name: 'Error', message: 'x' },
      atMs: 2_000,
    } as never);
    const buckets = stats.bucketsIn(0, MINUTE);
    const bucket = buckets.find((b) => b.job === 'j');
    const poison = buckets.find((b) => b.job !== 'j');
    expect(bucket).toMatchObject({ job: 'j', queue: 'default', outcomes: { retried: 1 } });
    expect(bucket!.durations.mean()).toBe(250);
    expect(Math.abs(bucket!.durations.quantile(0.5)! - 250)).toBeLessThanOrEqual(2.5);
    expect(poison).toMatchObject({ job: '(unreadable message)', outcomes: { dead: 1 } });
    expect(poison!.durations.count).toBe(0); // it never ran
  });
});

describe('ops.stats on the embedded engine', () => {
  let clock: ManualClock;
  let engine: LocalEngine;
  let ops: Ops;

  // Each run takes the milliseconds its payload says, on the manual clock, one run at a time (concurrency 1: runs
  // side by side would each see the other's advance): durations are exact.
  const work = defineJob({
    name: 'work',
    schema: z.object({ ms: z.number(), fail: z.boolean().optional() }),
    retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '10s', jitter: 0 } },
    perform: (p) => {
      clock.advance(p.ms);
      if (p.fail) throw new Error('failed on purpose');
    },
  });
  const idle = defineJob({
    name: 'idle',
    queue: 'slow',
    idempotency: 'exactly-once',
    schema: z.object({}),
    perform: () => undefined,
  });
  const registry = createRegistry([work, idle]);

  beforeEach(() => {
    clock = createManualClock(START);
    engine = createLocalEngine({ registry, clock, concurrency: 1, installAsDefault: true });
    ops = createLocalOps({ engine, registry });
  });
  afterEach(() => engine.close());

  it('counts each outcome per job type with p50, p95, retry rate and cost, and a row for a job that never ran', async () => {
    for (const ms of [100, 200, 300, 400]) await work.performLater({ ms });
    await work.performLater({ ms: 1000, fail: true });
    await engine.runUntilIdle();
    const report = await ops.stats();
    expect(report).toMatchObject({ source: 'local', periodMs: MINUTE });
    expect(report.prices).toMatchObject({ region: 'us-east-1', compiledOn: '2026-11-25' });
    expect(report.rows.map((r) => r.job)).toEqual(['idle', 'work']);
    const [idleRow, workRow] = report.rows;
    expect(idleRow).toMatchObject({
      queue: 'slow',
      count: 0,
      p50: null,
      p95: null,
      retryRate: null,
      cost: null,
    });
    // 4 successes, then the failing job: attempt 1 retried, attempt 2 dead-lettered (each ran 1,000 ms).
    expect(workRow!.outcomes).toMatchObject({ succeeded: 4, retried: 1, dead: 1, discarded: 0 });
    expect(workRow!.count).toBe(6);
    expect(workRow!.retryRate).toBeCloseTo(1 / 6, 10);
    // Durations 100, 200, 300, 400, 1000, 1000: nearest rank p50 = 3rd = 300, p95 = 6th = 1000 (sketch within 1%).
    expect(Math.abs(workRow!.p50! - 300)).toBeLessThanOrEqual(3);
    expect(Math.abs(workRow!.p95! - 1000)).toBeLessThanOrEqual(10);
    expect(workRow!.meanMs).toBe(500);
    expect(workRow!.cost).toBeCloseTo(workRow!.costBreakdown!.total, 12);
    expect(workRow!.costBreakdown!.basis).toMatch(/1024 MB .*default workerMemorySize/);
    // The series: every run ended within the first minute or two of the window's last points.
    const points = report.series.find((s) => s.job === 'work')!.points;
    expect(points.reduce((n, p) => n + p.runs, 0)).toBe(6);
    expect(points.length).toBe(Math.ceil((report.untilMs - report.sinceMs) / MINUTE));
    expect(points[0]!.atMs).toBe(report.sinceMs);
  });

  it('buckets by the engine clock, so a fast-forwarded run falls where that clock put it', async () => {
    await work.performLater({ ms: 5 });
    await work.performLater({ ms: 5 }, { delay: '3h' });
    await engine.runUntilIdle();
    const now = clock.nowMs();
    expect(now).toBeGreaterThanOrEqual(START + 3 * 60 * MINUTE);
    expect((await ops.stats()).rows.find((r) => r.job === 'work')!.count).toBe(1);
    const wide = await ops.stats({ sinceMs: START - MINUTE, untilMs: now + 1 });
    expect(wide.rows.find((r) => r.job === 'work')!.count).toBe(2);
  });

  it('refuses a window that ends before it starts, saying what it received', async () => {
    await expect(ops.stats({ sinceMs: START, untilMs: START - 1 })).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringContaining('must be before untilMs'),
    });
  });

  it('carries the counts through a saved state into a new engine', async () => {
    for (const ms of [100, 200]) await work.performLater({ ms });
    await engine.runUntilIdle();
    const saved = JSON.parse(JSON.stringify(await snapshotLocalEngine(engine)));
    const next = createLocalEngine({
      registry,
      clock: createManualClock(saved.nowMs),
      concurrency: 1,
      store: createMemoryJobStore(saved.records),
    });
    await restoreLocalEngine(next, saved);
    const report = await createLocalOps({ engine: next, registry }).stats();
    expect(report.rows.find((r) => r.job === 'work')).toMatchObject({ count: 2, meanMs: 150 });
    next.close();
  });
});

import type { JobRegistry } from '../job/registry.js';
import { DurationSketch } from '../local/duration-sketch.js';
import type { StatsBucket } from '../local/job-stats.js';
import type { MetricOutcome } from '../observe/metric-names.js';
import { costPer1000Runs, DEFAULT_WORKER_MEMORY_MB } from './job-cost.js';
import { PRICES } from './prices.js';
import type { JobSeries, JobStatsRow, StatsPoint, StatsReport } from './stats-types.js';
import { runsOf, type StatsWindow, zeroOutcomes } from './stats-window.js';

/** What either source measured for one job type on one queue in the window. */
export interface MeasuredJob {
  readonly job: string;
  readonly queue: string;
  readonly outcomes: Readonly<Partial<Record<MetricOutcome, number>>>;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly meanMs: number | null;
}

export interface RowContext {
  readonly registry?: JobRegistry;
  readonly memoryMb: number;
  readonly memorySource: string;
}

/** A report row: counts, rates and the cost per 1,000 runs at the job's own idempotency mode. */
export function statsRow(measured: MeasuredJob, context: RowContext): JobStatsRow {
  const outcomes = { ...zeroOutcomes(), ...measured.outcomes };
  const count = runsOf(outcomes);
  const idempotency = context.registry?.get(measured.job)?.options.idempotency;
  const costBreakdown =
    count === 0
      ? null
      : costPer1000Runs({
          meanDurationMs: measured.meanMs ?? 0,
          memoryMb: context.memoryMb,
          memorySource: context.memorySource,
          ...(idempotency ? { idempotency } : {}),
        });
  return {
    job: measured.job,
    queue: measured.queue,
    count,
    outcomes,
    p50: measured.p50,
    p95: measured.p95,
    meanMs: measured.meanMs,
    retryRate: count === 0 ? null : outcomes.retried / count,
    cost: costBreakdown?.total ?? null,
    costBreakdown,
  };
}

export const PRICE_SOURCE: StatsReport['prices'] = {
  region: PRICES.region,
  compiledOn: PRICES.compiledOn,
  source: PRICES.source,
};

/** Every job of the registry has a row, ran or not; so does any job type that ran without being in it. */
export function jobKeys(
  registry: JobRegistry | undefined,
  measured: readonly { readonly job: string; readonly queue: string }[],
): { job: string; queue: string }[] {
  const keys = new Map<string, { job: string; queue: string }>();
  for (const job of registry?.jobs ?? [])
    keys.set(`${job.name}\u0000${job.options.queue}`, { job: job.name, queue: job.options.queue });
  for (const { job, queue } of measured) keys.set(`${job}\u0000${queue}`, { job, queue });
  return [...keys.values()].sort((a, b) => a.job.localeCompare(b.job) || a.queue.localeCompare(b.queue));
}

/**
 * The embedded engine's report, from its minute buckets: percentiles from the merged duration sketches (within
 * 1%, README "Stats and cost"), the memory size the construct deploys by default.
 */
export function localStatsReport(
  buckets: readonly StatsBucket[],
  window: StatsWindow,
  registry: JobRegistry | undefined,
): StatsReport {
  const context = {
    ...(registry ? { registry } : {}),
    memoryMb: DEFAULT_WORKER_MEMORY_MB,
    memorySource: "the WharfJobs construct's default workerMemorySize: the embedded engine has no function",
  };
  const keys = jobKeys(registry, buckets);
  const rows: JobStatsRow[] = [];
  const series: JobSeries[] = [];
  for (const { job, queue } of keys) {
    const own = buckets.filter((b) => b.job === job && b.queue === queue);
    const merged = mergeBuckets(own);
    rows.push(
      statsRow(
        {
          job,
          queue,
          outcomes: merged.outcomes,
          p50: merged.durations.quantile(0.5),
          p95: merged.durations.quantile(0.95),
          meanMs: merged.durations.mean(),
        },
        context,
      ),
    );
    const points: StatsPoint[] = window.pointsAtMs.map((atMs) => {
      const point = mergeBuckets(own.filter((b) => b.atMs >= atMs && b.atMs < atMs + window.periodMs));
      return { atMs, runs: runsOf(point.outcomes), p95: point.durations.quantile(0.95) };
    });
    series.push({ job, queue, points });
  }
  return {
    source: 'local',
    sinceMs: window.sinceMs,
    untilMs: window.untilMs,
    periodMs: window.periodMs,
    rows,
    series,
    prices: PRICE_SOURCE,
  };
}

function mergeBuckets(buckets: readonly StatsBucket[]) {
  const outcomes: Partial<Record<MetricOutcome, number>> = {};
  const durations = new DurationSketch();
  for (const bucket of buckets) {
    for (const [outcome, count] of Object.entries(bucket.outcomes) as [MetricOutcome, number][])
      outcomes[outcome] = (outcomes[outcome] ?? 0) + count;
    durations.merge(bucket.durations);
  }
  return { outcomes, durations };
}

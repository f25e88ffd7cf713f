import type { MetricOutcome } from '../observe/metric-names.js';

/**
 * What `ops.stats()`, `wharf stats` and the dashboard's Performance page show per job type
 * (README "Stats and cost"). On AWS they are read from the CloudWatch metrics the workers publish; on the embedded engine from its
 * own counts.
 */
export interface StatsQuery {
  /** @default one hour before `untilMs` */
  readonly sinceMs?: number;
  /** @default now */
  readonly untilMs?: number;
  /** The width of one point of `series`. @default the window's span / 60, in whole minutes, at least 1 minute (the last hour: 1 minute) */
  readonly periodMs?: number;
}

export interface JobStatsRow {
  readonly job: string;
  readonly queue: string;
  /**
   * Runs that ended in the window: succeeded + retried + dead + discarded + cancelled (attempts that ran; a job
   * dead-lettered or cancelled before it ran counts too, as the metrics cannot tell them apart).
   */
  readonly count: number;
  readonly outcomes: Readonly<Record<MetricOutcome, number>>;
  /** Median and 95th percentile of run duration, ms; null with no run in the window. */
  readonly p50: number | null;
  readonly p95: number | null;
  /** Mean run duration, ms (what the Lambda GB-seconds of the cost are priced at); null with no run. */
  readonly meanMs: number | null;
  /** Retried / count; null when count is 0. */
  readonly retryRate: number | null;
  /** Estimated USD per 1,000 runs at list prices (JobCost); null when count is 0. */
  readonly cost: number | null;
  readonly costBreakdown: JobCost | null;
}

/** Cost per 1,000 runs, by what is billed (USD at the dated list prices of `StatsReport.prices`). */
export interface JobCost {
  readonly sqs: number;
  readonly lambda: number;
  readonly dynamodb: number;
  readonly scheduler: number;
  readonly total: number;
  /** The assumptions the estimate stands on (memory size, records written per run...), in words. */
  readonly basis: string;
}

/** One point per period per job type: what the Performance page plots (`atMs` is the period's start). */
export interface StatsPoint {
  readonly atMs: number;
  readonly runs: number;
  readonly p95: number | null;
}

export interface JobSeries {
  readonly job: string;
  readonly queue: string;
  readonly points: readonly StatsPoint[];
}

export interface StatsReport {
  readonly source: 'cloudwatch' | 'local';
  readonly sinceMs: number;
  readonly untilMs: number;
  readonly periodMs: number;
  readonly rows: readonly JobStatsRow[];
  readonly series: readonly JobSeries[];
  /** Where the prices come from and when they were compiled, as the benchmark's price table says. */
  readonly prices: { readonly region: string; readonly compiledOn: string; readonly source: string };
}

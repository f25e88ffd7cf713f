import { errorMessage, TransportError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import {
  DURATION_METRIC,
  JOB_DIMENSIONS,
  type MetricOutcome,
  OUTCOME_METRICS,
} from '../observe/metric-names.js';
import type {
  CloudWatchApi,
  CloudWatchClient,
  MetricDataQuery,
  MetricDataResult,
} from '../runtime/cloudwatch-api.js';
import { DEFAULT_WORKER_MEMORY_MB } from './job-cost.js';
import { jobKeys, PRICE_SOURCE, statsRow } from './stats-report.js';
import type { JobSeries, JobStatsRow, StatsReport } from './stats-types.js';
import { runsOf, type StatsWindow } from './stats-window.js';

/** GetMetricData's limit of queries per call. */
const MAX_QUERIES_PER_CALL = 500;
const OUTCOMES = Object.keys(OUTCOME_METRICS) as MetricOutcome[];

/** Where a queue's worker memory size comes from: its function's MemorySize, or the construct's default. */
export type MemoryOf = (queue: string) => Promise<{ readonly memoryMb: number; readonly source: string }>;

export interface CloudWatchStatsOptions {
  readonly client: () => Promise<CloudWatchClient>;
  readonly api: () => Promise<CloudWatchApi>;
  /** @default 'Wharf' (DEFAULT_METRICS_NAMESPACE), or WHARF_METRICS_NAMESPACE where the caller read it */
  readonly namespace: string;
  readonly registry?: JobRegistry;
  readonly memoryOf?: MemoryOf;
}

interface Key {
  readonly job: string;
  readonly queue: string;
}

/**
 * `ops.stats()` on AWS: the workers' per-job-type metrics (JobName, Queue), read with GetMetricData in as few
 * calls as its 500-query limit allows (each page followed through NextToken). Per job type, 12 queries: the Sum of
 * each outcome metric and the p95 of Duration per period (the series; the window's totals are the sums of its
 * points), and p50, p95 and Average of Duration over the whole window (one period as wide as the window: a
 * percentile of percentiles would be no percentile). Job types are the registry's, or without one, every
 * (JobName, Queue) that ListMetrics finds in the namespace (metrics of the last two weeks).
 */
export function cloudWatchStats(options: CloudWatchStatsOptions) {
  return async (window: StatsWindow): Promise<StatsReport> => {
    const [client, api] = await Promise.all([options.client(), options.api()]);
    const keys = options.registry
      ? jobKeys(options.registry, [])
      : await listJobKeys(client, api, options.namespace);
    const wholePeriod = Math.ceil((window.untilMs - window.sinceMs) / 60_000) * 60;
    const queries = keys.flatMap((key, i) => queriesOf(key, i, options.namespace, window, wholePeriod));
    const results = await getMetricData(client, api, queries, window);
    const memoryOf = options.memoryOf ?? defaultMemory;
    const memory = new Map<string, Awaited<ReturnType<MemoryOf>>>();
    for (const queue of new Set(keys.map((k) => k.queue))) memory.set(queue, await memoryOf(queue));
    const rows: JobStatsRow[] = [];
    const series: JobSeries[] = [];
    keys.forEach((key, i) => {
      const values = (name: string) => results.get(`k${i}_${name}`) ?? new Map<number, number>();
      const outcomes = Object.fromEntries(
        OUTCOMES.map((outcome) => [outcome, sum(values(outcome))]),
      ) as Record<MetricOutcome, number>;
      const { memoryMb, source } = memory.get(key.queue)!;
      rows.push(
        statsRow(
          {
            ...key,
            outcomes,
            p50: first(values('p50')),
            p95: first(values('p95')),
            meanMs: first(values('mean')),
          },
          { ...(options.registry ? { registry: options.registry } : {}), memoryMb, memorySource: source },
        ),
      );
      const outcomesAt = OUTCOMES.map((o) => [o, byPoint(values(o), window, (a, b) => a + b)] as const);
      // Two datapoints in one point (periods CloudWatch did not align): the higher p95, never a sum of them.
      const p95At = byPoint(values('seriesP95'), window, Math.max);
      const points = window.pointsAtMs.map((atMs, p) => ({
        atMs,
        runs: runsOf(Object.fromEntries(outcomesAt.map(([o, v]) => [o, v[p] ?? 0]))),
        p95: p95At[p] ?? null,
      }));
      series.push({ ...key, points });
    });
    return {
      source: 'cloudwatch',
      sinceMs: window.sinceMs,
      untilMs: window.untilMs,
      periodMs: window.periodMs,
      rows,
      series,
      prices: PRICE_SOURCE,
    };
  };
}

async function defaultMemory() {
  return {
    memoryMb: DEFAULT_WORKER_MEMORY_MB,
    source: "the WharfJobs construct's default workerMemorySize: the function's own was not read",
  };
}

function queriesOf(
  key: Key,
  index: number,
  namespace: string,
  window: StatsWindow,
  wholePeriodSeconds: number,
): MetricDataQuery[] {
  const dimensions = [
    { Name: JOB_DIMENSIONS[0], Value: key.job },
    { Name: JOB_DIMENSIONS[1], Value: key.queue },
  ];
  const query = (id: string, metric: string, stat: string, period: number): MetricDataQuery => ({
    Id: `k${index}_${id}`,
    MetricStat: {
      Metric: { Namespace: namespace, MetricName: metric, Dimensions: dimensions },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  });
  const seriesPeriod = window.periodMs / 1000;
  return [
    ...OUTCOMES.map((outcome) => query(outcome, OUTCOME_METRICS[outcome], 'Sum', seriesPeriod)),
    query('seriesP95', DURATION_METRIC, 'p95', seriesPeriod),
    query('p50', DURATION_METRIC, 'p50', wholePeriodSeconds),
    query('p95', DURATION_METRIC, 'p95', wholePeriodSeconds),
    query('mean', DURATION_METRIC, 'Average', wholePeriodSeconds),
  ];
}

/** Every query's values by timestamp (ms), across as many calls and pages as the queries need. */
async function getMetricData(
  client: CloudWatchClient,
  api: CloudWatchApi,
  queries: readonly MetricDataQuery[],
  window: StatsWindow,
): Promise<Map<string, Map<number, number>>> {
  const byId = new Map<string, Map<number, number>>();
  for (let start = 0; start < queries.length; start += MAX_QUERIES_PER_CALL) {
    const chunk = queries.slice(start, start + MAX_QUERIES_PER_CALL);
    let nextToken: string | undefined;
    do {
      const page = await send(client, api, {
        MetricDataQueries: chunk,
        StartTime: new Date(window.sinceMs),
        EndTime: new Date(window.untilMs),
        ScanBy: 'TimestampAscending',
        ...(nextToken ? { NextToken: nextToken } : {}),
      });
      for (const result of page.MetricDataResults ?? []) addResult(byId, result);
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return byId;
}

function addResult(byId: Map<string, Map<number, number>>, result: MetricDataResult): void {
  if (!result.Id) return;
  const values = byId.get(result.Id) ?? new Map<number, number>();
  const timestamps = result.Timestamps ?? [];
  (result.Values ?? []).forEach((value, i) => {
    const at = timestamps[i];
    // A percentile CloudWatch cannot compute comes back absent, never as a number to trust.
    if (at !== undefined && Number.isFinite(value)) values.set(new Date(at).getTime(), value);
  });
  byId.set(result.Id, values);
}

async function send(
  client: CloudWatchClient,
  api: CloudWatchApi,
  input: ConstructorParameters<CloudWatchApi['GetMetricDataCommand']>[0],
) {
  try {
    return await client.send(new api.GetMetricDataCommand(input));
  } catch (error) {
    throw new TransportError(`CloudWatch GetMetricData failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** Every (JobName, Queue) pair the namespace has metrics for. */
async function listJobKeys(client: CloudWatchClient, api: CloudWatchApi, namespace: string): Promise<Key[]> {
  const keys: Key[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client
      .send(
        new api.ListMetricsCommand({ Namespace: namespace, ...(nextToken ? { NextToken: nextToken } : {}) }),
      )
      .catch((error: unknown) => {
        throw new TransportError(`CloudWatch ListMetrics failed: ${errorMessage(error)}`, { cause: error });
      });
    for (const metric of page.Metrics ?? []) {
      const job = metric.Dimensions?.find((d) => d.Name === JOB_DIMENSIONS[0])?.Value;
      const queue = metric.Dimensions?.find((d) => d.Name === JOB_DIMENSIONS[1])?.Value;
      if (job !== undefined && queue !== undefined) keys.push({ job, queue });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return jobKeys(undefined, keys);
}

/** Each datapoint in the point whose period holds its timestamp (CloudWatch stamps a period with its start). */
function byPoint(
  values: ReadonlyMap<number, number>,
  window: StatsWindow,
  combine: (a: number, b: number) => number,
): (number | undefined)[] {
  const points: (number | undefined)[] = window.pointsAtMs.map(() => undefined);
  for (const [atMs, value] of values) {
    const p = Math.floor((atMs - window.sinceMs) / window.periodMs);
    if (p < 0 || p >= points.length) continue;
    const held = points[p];
    points[p] = held === undefined ? value : combine(held, value);
  }
  return points;
}

function sum(values: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const value of values.values()) total += value;
  return total;
}

function first(values: ReadonlyMap<number, number>): number | null {
  const [value] = values.values();
  return value ?? null;
}

import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createAwsOps } from '../../src/ops/aws-ops';
import { cloudWatchStats } from '../../src/ops/cloudwatch-stats';
import { resolveStatsWindow } from '../../src/ops/stats-window';
import { workerMemory } from '../../src/ops/worker-memory';
import type { CloudWatchApi, CloudWatchClient as CloudWatchPort } from '../../src/runtime/cloudwatch-api';
import { loadCloudWatch } from '../../src/runtime/cloudwatch-api';
import { loadLambda } from '../../src/runtime/lambda-api';
import { motoEndpoint, sqsClient, uniqueName } from '../helpers/aws';
import { createFunction, createMapping } from '../helpers/lambda-consumers';
import { motoWharf } from '../helpers/moto-cli';
import { createQueuePair, type QueuePair } from '../helpers/queues';

const MINUTE = 60_000;

/**
 * ops.stats on moto's CloudWatch. moto does not turn the workers' EMF log lines into metrics (CloudWatch Logs does
 * that on AWS), so each test puts the same data with PutMetricData, as CloudWatch would from the EMF: the metric
 * names and the JobName and Queue dimensions of src/observe/metric-names.ts. moto's GetMetricData computes no
 * percentiles (moto/cloudwatch/models.py: Statistics.get_statistics_for_type returns None for pNN), and with data
 * for the metric it answers such a query with a 500. So the first test reads through a client that checks the
 * percentile queries wharf asks for and sends moto only the others: p50 and p95 come back null, as CloudWatch
 * answers for a window without data, and the test asserts that rather than fake a value. Sum and Average moto
 * computes, and the second test goes through createAwsOps unchanged (no Duration data there, so no pNN answer).
 */
describe('ops.stats on AWS (CloudWatch on moto)', () => {
  const cloudWatch = new CloudWatchClient({
    endpoint: motoEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const charge = defineJob({
    name: 'charge',
    queue: 'billing',
    idempotency: 'exactly-once',
    schema: z.object({}),
    perform: () => undefined,
  });
  const receipt = defineJob({
    name: 'receipt',
    queue: 'billing',
    schema: z.object({}),
    perform: () => undefined,
  });
  const registry = createRegistry([charge, receipt]);
  let billing: QueuePair;
  let functionArn: string;

  const put = async (namespace: string, data: MetricDatum[]) => {
    for (let i = 0; i < data.length; i += 500)
      await cloudWatch.send(
        new PutMetricDataCommand({ Namespace: namespace, MetricData: data.slice(i, i + 500) }),
      );
  };
  const datum = (job: string, name: string, value: number, atMs: number, unit = 'Count'): MetricDatum => ({
    MetricName: name,
    Dimensions: [
      { Name: 'JobName', Value: job },
      { Name: 'Queue', Value: 'billing' },
    ],
    Value: value,
    Unit: unit as MetricDatum['Unit'],
    Timestamp: new Date(atMs),
  });
  const opsFor = (namespace: string, withRegistry: boolean) =>
    createAwsOps({
      env: {
        WHARF_QUEUE_URL_BILLING: billing.url,
        WHARF_DLQ_URL_BILLING: billing.deadLetterUrl,
        WHARF_METRICS_NAMESPACE: namespace,
      },
      endpoint: motoEndpoint(),
      region: 'us-east-1',
      ...(withRegistry ? { registry } : {}),
    });

  beforeAll(async () => {
    billing = await createQueuePair(sqsClient(), { prefix: 'stats-billing' });
    const worker = await createFunction('stats-worker', { memorySize: 512 });
    functionArn = worker.arn;
    await createMapping(billing.arn, worker.name);
  });
  afterAll(() => cloudWatch.destroy());

  it('sums each outcome per job type, prices the runs at the worker memory, and plots runs per period', async () => {
    const namespace = uniqueName('WharfStats');
    const now = Date.now();
    const minute = (ago: number) => Math.floor(now / MINUTE) * MINUTE - ago * MINUTE;
    const t1 = minute(10);
    const t2 = minute(5);
    await put(namespace, [
      datum('charge', 'Succeeded', 7, t1),
      datum('charge', 'Retried', 2, t1),
      datum('charge', 'Succeeded', 3, t2),
      datum('charge', 'DeadLettered', 1, t2),
      datum('charge', 'Deferred', 4, t2),
      ...[100, 200, 300, 400].map((ms) => datum('charge', 'Duration', ms, t1, 'Milliseconds')),
    ]);
    const percentileQueries: { id: string; stat: string; period: number }[] = [];
    const withoutPercentiles: CloudWatchPort = {
      send: (command) => {
        const input = (command as GetMetricDataCommand).input as GetMetricDataCommandInput;
        const queries = input.MetricDataQueries ?? [];
        for (const q of queries.filter((q) => /^p\d+$/.test(q.MetricStat?.Stat ?? '')))
          percentileQueries.push({ id: q.Id!, stat: q.MetricStat!.Stat!, period: q.MetricStat!.Period! });
        const kept = queries.filter((q) => !/^p\d+$/.test(q.MetricStat?.Stat ?? ''));
        return cloudWatch.send(new GetMetricDataCommand({ ...input, MetricDataQueries: kept })) as never;
      },
      destroy: () => undefined,
    };
    const lambda = new LambdaClient({
      endpoint: motoEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const stats = cloudWatchStats({
      client: async () => withoutPercentiles,
      api: loadCloudWatch as () => Promise<CloudWatchApi>,
      namespace,
      registry,
      memoryOf: workerMemory({
        client: async () => lambda as never,
        api: loadLambda,
        arnsOf: () => [billing.arn],
      }),
    });
    try {
      const window = resolveStatsWindow({}, now);
      const report = await stats(window);
      // Asked for as CloudWatch answers them: p50 and p95 over the whole window, p95 per period for the series.
      const whole = Math.ceil((window.untilMs - window.sinceMs) / 60_000) * 60;
      expect(percentileQueries).toEqual(
        expect.arrayContaining([
          { id: 'k0_p50', stat: 'p50', period: whole },
          { id: 'k0_p95', stat: 'p95', period: whole },
          { id: 'k0_seriesP95', stat: 'p95', period: 60 },
        ]),
      );
      expect(report.source).toBe('cloudwatch');
      expect(report.rows.map((r) => r.job)).toEqual(['charge', 'receipt']);
      const [row, idle] = report.rows;
      expect(row!.outcomes).toEqual({
        succeeded: 10,
        retried: 2,
        dead: 1,
        discarded: 0,
        deferred: 4,
        duplicate: 0,
        expired: 0,
        cancelled: 0,
      });
      expect(row!.count).toBe(13); // deferred deliveries ran nothing
      expect(row!.retryRate).toBeCloseTo(2 / 13, 10);
      expect(row!.meanMs).toBe(250);
      // moto computes no percentiles (see above): null, not a made-up figure.
      expect(row!.p50).toBeNull();
      expect(row!.p95).toBeNull();
      // The cost at the worker function's MemorySize (512 MB), read through its event source mapping.
      expect(row!.costBreakdown!.basis).toContain(`512 MB (the MemorySize of ${functionArn})`);
      const gbSeconds = 0.5 * 0.25 * 1000;
      expect(row!.costBreakdown!.lambda).toBeCloseTo(0.00002 + gbSeconds * 0.0000166667, 12);
      expect(row!.costBreakdown!.dynamodb).toBeCloseTo(2 * 0.000625, 12); // exactly-once: 2 writes per run
      expect(idle).toMatchObject({ job: 'receipt', count: 0, cost: null, p50: null });
      const points = report.series.find((s) => s.job === 'charge')!.points;
      expect(points.find((p) => p.atMs === t1)?.runs).toBe(9);
      expect(points.find((p) => p.atMs === t2)?.runs).toBe(4);
      expect(points.reduce((n, p) => n + p.runs, 0)).toBe(13);
    } finally {
      lambda.destroy();
    }
  });

  it('finds the job types with ListMetrics without a registry, in as many GetMetricData calls as 500 queries allow', async () => {
    const namespace = uniqueName('WharfStats');
    const atMs = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * MINUTE;
    // 45 job types x 12 queries each = 540 queries: two calls.
    const jobs = Array.from({ length: 45 }, (_, i) => `job-${String(i).padStart(2, '0')}`);
    await put(
      namespace,
      jobs.map((job, i) => datum(job, 'Succeeded', i + 1, atMs)),
    );
    const ops = opsFor(namespace, false);
    try {
      const report = await ops.stats({ sinceMs: atMs - 30 * MINUTE });
      expect(report.rows.map((r) => r.job)).toEqual(jobs);
      expect(report.rows.map((r) => r.count)).toEqual(jobs.map((_, i) => i + 1));
      // Not in a registry: priced as tracked, and the basis says it assumed so.
      expect(report.rows[0]!.costBreakdown!.basis).toMatch(/idempotency tracked, assumed/);
      // createAwsOps finds the queue's worker through its event source mapping (made in beforeAll).
      expect(report.rows[0]!.costBreakdown!.basis).toContain(`512 MB (the MemorySize of ${functionArn})`);
    } finally {
      ops.close();
    }
  });

  it("prices a queue without a worker function at the construct's default memory size, and says why", async () => {
    const lambda = new LambdaClient({
      endpoint: motoEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    try {
      const other = await createQueuePair(sqsClient(), { prefix: 'stats-unmapped' });
      const memoryOf = workerMemory({
        client: async () => lambda as never,
        api: loadLambda,
        arnsOf: () => [other.arn],
      });
      expect(await memoryOf('unmapped')).toEqual({
        memoryMb: 1024,
        source:
          "the WharfJobs construct's default workerMemorySize (no event source mapping feeds a function from its queue)",
      });
    } finally {
      lambda.destroy();
    }
  });

  it('wharf stats reads the same from CloudWatch: the table, and --json with the source', async () => {
    const namespace = uniqueName('WharfStats');
    const atMs = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
    // A job name of its own: moto matches a query's dimensions across namespaces, and the first test's Duration
    // data for `charge` would reach moto's percentile gap (see above).
    await put(namespace, [datum('refund', 'Succeeded', 5, atMs), datum('refund', 'Retried', 1, atMs)]);
    const wharf = motoWharf(() => ({
      WHARF_QUEUE_URL_BILLING: billing.url,
      WHARF_DLQ_URL_BILLING: billing.deadLetterUrl,
      WHARF_METRICS_NAMESPACE: namespace,
    }));
    const json = await wharf(['--json', 'stats', '--since', '30m']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { source: string; rows: { job: string; count: number }[] };
    expect(report.source).toBe('cloudwatch');
    expect(report.rows).toEqual([expect.objectContaining({ job: 'refund', count: 6 })]);
    const text = await wharf(['stats']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^refund\s+billing\s+6\s+5\s+1\s+0\s+-\s+-\s+16\.7%\s+\$0\.\d+$/m);
    expect(text.stdout).toMatch(/from CloudWatch metrics/);
  });
});

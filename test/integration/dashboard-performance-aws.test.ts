import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from '../../src/dashboard/server';
import { type AwsOps, createAwsOps } from '../../src/ops/aws-ops';
import { motoEndpoint, sqsClient, uniqueName } from '../helpers/aws';
import { dashboardHttp, textOf } from '../helpers/dashboard-http';
import { createQueuePair, type QueuePair } from '../helpers/queues';

const MINUTE = 60_000;

/**
 * The Performance page over AWS ops, as `wharf dashboard` serves it against a deployed stack: the figures come
 * from CloudWatch (moto's) through ops.stats. moto does not turn EMF log lines into metrics (CloudWatch Logs does
 * that on AWS), so the test puts what the workers' EMF would become with PutMetricData, under the metric names
 * and dimensions of src/observe/metric-names.ts. No Duration data is put: moto computes no percentiles and answers
 * a pNN query over data with a 500 (see ops-stats-aws.test.ts), so p50 and p95 are absent here, shown as dashes.
 * Job names are this file's own: moto matches a query's dimensions across namespaces.
 */
describe('the Performance page over AWS ops on moto', () => {
  const cloudWatch = new CloudWatchClient({
    endpoint: motoEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const namespace = uniqueName('WharfPerf');
  const shipJob = uniqueName('perf-ship');
  const refundJob = uniqueName('perf-refund');
  let orders: QueuePair;
  let ops: AwsOps;
  let dashboard: Dashboard;

  const datum = (job: string, name: string, value: number, atMs: number): MetricDatum => ({
    MetricName: name,
    Dimensions: [
      { Name: 'JobName', Value: job },
      { Name: 'Queue', Value: 'orders' },
    ],
    Value: value,
    Unit: 'Count',
    Timestamp: new Date(atMs),
  });

  beforeAll(async () => {
    orders = await createQueuePair(sqsClient(), { prefix: 'perf-orders' });
    const minute = (ago: number) => Math.floor(Date.now() / MINUTE) * MINUTE - ago * MINUTE;
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [
          datum(shipJob, 'Succeeded', 6, minute(12)),
          datum(shipJob, 'Retried', 2, minute(12)),
          datum(shipJob, 'Succeeded', 2, minute(4)),
          datum(shipJob, 'DeadLettered', 1, minute(4)),
          datum(refundJob, 'Discarded', 3, minute(7)),
        ],
      }),
    );
    // No registry: the job types are found with ListMetrics, as a dashboard started without --registry does.
    ops = createAwsOps({
      env: {
        WHARF_QUEUE_URL_ORDERS: orders.url,
        WHARF_DLQ_URL_ORDERS: orders.deadLetterUrl,
        WHARF_METRICS_NAMESPACE: namespace,
      },
      endpoint: motoEndpoint(),
      region: 'us-east-1',
    });
    dashboard = await startDashboard({ ops, readOnly: true, audit: () => undefined });
  }, 60_000);
  afterAll(async () => {
    await dashboard?.close();
    ops?.close();
    cloudWatch.destroy();
  });

  const cellsOf = (body: string, job: string) =>
    [
      ...(new RegExp(`<tr data-job="${job}">([\\s\\S]*?)</tr>`).exec(body)?.[1] ?? '').matchAll(
        /<td[^>]*>([^<]*)<\/td>/g,
      ),
    ].map((m) => m[1]);

  it('shows per job type the runs by outcome and retry rate CloudWatch has, and plots a series for each', async () => {
    const http = dashboardHttp(dashboard);
    const reply = await http.send('GET', '/performance', http.cookie());
    expect(reply.status).toBe(200);
    expect(textOf(reply.body)).toContain('from CloudWatch metrics');
    // Job, queue, runs, succeeded, retried, dead, discarded, p50, p95, retry rate, cost per 1,000 runs.
    const ship = cellsOf(reply.body, shipJob);
    expect(ship.slice(0, 10)).toEqual([shipJob, 'orders', '11', '8', '2', '1', '0', '–', '–', '18.2%']);
    expect(ship[10]).toMatch(/^\$0\.\d+$/);
    expect(cellsOf(reply.body, refundJob).slice(2, 7)).toEqual(['3', '0', '0', '0', '3']);
    const series = [...reply.body.matchAll(/<g class="series [^"]+" data-job="([^"]+)">/g)].map((m) => m[1]);
    // One series per job type in each of the two panels, in the table's order.
    expect(series).toEqual([refundJob, shipJob, refundJob, shipJob]); // the names sort perf-refund before perf-ship
    const runsTitles = [
      ...reply.body.matchAll(/<title>([^<]+), [\d-]+ [\d:]+Z \(1 min\): (\d+) runs?<\/title>/g),
    ];
    const runsOf = (job: string) =>
      runsTitles.filter((m) => m[1] === job).reduce((n, m) => n + Number(m[2]), 0);
    expect([runsOf(shipJob), runsOf(refundJob)]).toEqual([11, 3]);
    // The counts are there, the durations not (moto's gap): the p95 panel says so rather than draw nothing.
    expect(reply.body).toContain('No duration measured in this window.');
  });
});

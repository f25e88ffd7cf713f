import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface DashboardQueue {
  readonly name: string;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly worker?: IFunction;
}

const PERIOD = Duration.minutes(1);

/**
 * One row per queue (backlog, age, dead letters, worker health), then the job table's capacity and errors, then
 * the job types' widgets (job-widgets.ts), if any.
 */
export function createJobsDashboard(
  scope: Construct,
  queues: readonly DashboardQueue[],
  table: ITable,
  dashboardName?: string,
  jobTypeWidgets: readonly IWidget[] = [],
): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { dashboardName });
  for (const entry of queues) dashboard.addWidgets(...queueRow(entry));
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Job table: consumed capacity',
      left: [
        table.metricConsumedReadCapacityUnits({ period: PERIOD }),
        table.metricConsumedWriteCapacityUnits({ period: PERIOD }),
      ],
      width: 12,
    }),
    // Each of these is a math expression over the same per-operation metric ids, so each gets its own graph.
    new GraphWidget({
      title: 'Job table: throttled requests',
      left: [table.metricThrottledRequestsForOperations({ period: PERIOD })],
      width: 6,
    }),
    new GraphWidget({
      title: 'Job table: system errors',
      left: [table.metricSystemErrorsForOperations({ period: PERIOD })],
      width: 6,
    }),
  );
  if (jobTypeWidgets.length > 0) dashboard.addWidgets(...jobTypeWidgets);
  return dashboard;
}

function queueRow({ name, queue, deadLetterQueue, worker }: DashboardQueue): IWidget[] {
  const widgets: IWidget[] = [
    new TextWidget({ markdown: `### Queue \`${name}\``, width: 24, height: 1 }),
    new GraphWidget({
      title: `${name}: messages`,
      left: [
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: 'waiting' }),
        queue.metricApproximateNumberOfMessagesNotVisible({ period: PERIOD, label: 'running' }),
        queue.metricApproximateNumberOfMessagesDelayed({ period: PERIOD, label: 'delayed' }),
      ],
      width: 6,
    }),
    new GraphWidget({
      title: `${name}: age of oldest message (s)`,
      left: [queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' })],
      width: 6,
    }),
    new GraphWidget({
      title: `${name}: dead letters`,
      left: [
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      ],
      width: 6,
    }),
  ];
  if (worker) {
    widgets.push(
      new GraphWidget({
        title: `${name}: worker`,
        left: [
          worker.metricInvocations({ period: PERIOD }),
          worker.metricErrors({ period: PERIOD }),
          worker.metricThrottles({ period: PERIOD }),
        ],
        right: [worker.metricDuration({ period: PERIOD, statistic: 'p99' })],
        width: 6,
      }),
    );
  }
  return widgets;
}

import { Duration } from 'aws-cdk-lib';
import { GraphWidget, type IWidget, type Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { MetricOutcome } from '../observe/metric-names.js';
import { type JobType, JobTypeMetrics } from './job-type-metrics.js';

/**
 * Job types that get a row of their own. CloudWatch takes at most 500 widgets on a dashboard; 50 rows of 4 leave
 * room for the queue rows (queues are bounded by the workers' 4 KB of environment long before) and for the
 * combined widgets of the rest.
 */
export const JOB_TYPE_ROWS_LIMIT = 50;
/**
 * Job types per combined widget, beyond JOB_TYPE_ROWS_LIMIT: one line each. CloudWatch draws up to 500 metrics
 * on a graph, but its snapshot API (GetMetricWidgetImage) takes 100, and past that a legend is unreadable anyway.
 */
export const JOB_TYPES_PER_COMBINED_WIDGET = 100;

const PERIOD = Duration.minutes(1);
const ALL_OUTCOMES: readonly MetricOutcome[] = [
  'succeeded',
  'retried',
  'dead',
  'discarded',
  'deferred',
  'duplicate',
  'expired',
  'cancelled',
];
const FAILURES: readonly MetricOutcome[] = ['retried', 'dead', 'discarded'];

/**
 * The job-type part of the dashboard: a heading, then a row per job type (registry order) up to
 * JOB_TYPE_ROWS_LIMIT, then, for the others, combined widgets with a line per job type.
 */
export function jobTypeWidgets(namespace: string, jobs: readonly JobType[]): IWidget[] {
  if (jobs.length === 0) return [];
  const rows = jobs.slice(0, JOB_TYPE_ROWS_LIMIT).map((job) => new JobTypeMetrics(namespace, job));
  const rest = jobs.slice(JOB_TYPE_ROWS_LIMIT).map((job) => new JobTypeMetrics(namespace, job));
  return [
    new TextWidget({
      markdown: `### Job types (metrics in namespace \`${namespace}\`)`,
      width: 24,
      height: 1,
    }),
    ...rows.flatMap(jobRow),
    ...combinedWidgets(rest),
  ];
}

/** Four widgets of 6: what the runs ended in, the failures, how long they took, how long they waited. */
function jobRow(metrics: JobTypeMetrics): IWidget[] {
  const title = `${metrics.job.name} (${metrics.job.queue})`;
  return [
    new GraphWidget({
      title: `${title}: runs by outcome`,
      left: ALL_OUTCOMES.map((o) => metrics.outcome(o, PERIOD)),
      stacked: true,
      width: 6,
    }),
    new GraphWidget({
      title: `${title}: failures`,
      left: FAILURES.map((o) => metrics.outcome(o, PERIOD)),
      // The attempt jobs ended on: a rise means more jobs need retries before they succeed or give up.
      right: [metrics.attempts('Maximum', PERIOD, 'highest attempt')],
      width: 6,
    }),
    new GraphWidget({
      title: `${title}: duration (ms)`,
      left: [metrics.duration('p50', PERIOD), metrics.duration('p95', PERIOD)],
      width: 6,
    }),
    new GraphWidget({
      title: `${title}: latency, due to start (ms)`,
      left: [metrics.latency('p95', PERIOD)],
      width: 6,
    }),
  ];
}

/** The job types beyond the rows, one widget per metric and chunk, a line per job type. */
function combinedWidgets(rest: readonly JobTypeMetrics[]): IWidget[] {
  const widgets: IWidget[] = [];
  for (let start = 0; start < rest.length; start += JOB_TYPES_PER_COMBINED_WIDGET) {
    const chunk = rest.slice(start, start + JOB_TYPES_PER_COMBINED_WIDGET);
    const first = JOB_TYPE_ROWS_LIMIT + start + 1;
    const range = `job types ${first}-${first + chunk.length - 1}`;
    const graph = (title: string, line: (m: JobTypeMetrics) => Metric) =>
      new GraphWidget({ title: `${range}: ${title}`, left: chunk.map(line), width: 6 });
    widgets.push(
      graph('succeeded', (m) => m.outcome('succeeded', PERIOD, m.job.name)),
      graph('dead-lettered', (m) => m.outcome('dead', PERIOD, m.job.name)),
      graph('duration p95 (ms)', (m) => m.duration('p95', PERIOD, m.job.name)),
      graph('latency p95 (ms)', (m) => m.latency('p95', PERIOD, m.job.name)),
    );
  }
  return widgets;
}

import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { JOB_TYPE_ROWS_LIMIT, JOB_TYPES_PER_COMBINED_WIDGET } from '../../src/cdk/job-widgets';
import { JOB_DIMENSIONS, OUTCOME_METRICS } from '../../src/observe/metric-names';
import { type DashboardWidget, dashboardWidgets, metricLine } from '../helpers/dashboard-body';
import { build, defaultBuilt, registryOf, templateOf } from './fixtures';

const jobWidgets = (widgets: DashboardWidget[], job: string) =>
  widgets.filter((w) => w.properties.title?.startsWith(`${job} (`));
const lines = (widget: DashboardWidget) => (widget.properties.metrics ?? []).map(metricLine);

describe('the dashboard, per job type', () => {
  it('has a row per job type: runs by outcome, failures, duration p50 and p95, latency p95, by JobName and Queue', () => {
    const widgets = dashboardWidgets(templateOf(defaultBuilt()));
    for (const [job, queue] of [
      ['sendReport', 'default'],
      ['sendWelcome', 'emails'],
      ['sendDigest', 'emails'],
    ] as const) {
      const row = jobWidgets(widgets, job);
      expect(row.map((w) => w.properties.title)).toEqual([
        `${job} (${queue}): runs by outcome`,
        `${job} (${queue}): failures`,
        `${job} (${queue}): duration (ms)`,
        `${job} (${queue}): latency, due to start (ms)`,
      ]);
      expect(row.reduce((sum, w) => sum + w.width, 0)).toBe(24);
      for (const line of row.flatMap(lines)) {
        expect(line.namespace).toBe('Wharf');
        expect(line.dimensionNames).toEqual([...JOB_DIMENSIONS]);
        expect(line.dimensions).toEqual({ JobName: job, Queue: queue });
      }
      const [runs, failures, duration, latency] = row.map(lines);
      expect(row[0]!.properties.stacked).toBe(true);
      expect(runs!.map((l) => [l.metric, l.stat])).toEqual(
        Object.values(OUTCOME_METRICS).map((name) => [name, 'Sum']),
      );
      expect(failures!.map((l) => [l.metric, l.stat])).toEqual([
        ['Retried', 'Sum'],
        ['DeadLettered', 'Sum'],
        ['Discarded', 'Sum'],
        ['Attempts', 'Maximum'],
      ]);
      expect(duration!.map((l) => [l.metric, l.stat])).toEqual([
        ['Duration', 'p50'],
        ['Duration', 'p95'],
      ]);
      expect(latency!.map((l) => [l.metric, l.stat])).toEqual([['Latency', 'p95']]);
    }
  });

  it('keeps the queue rows, and puts the job types after them under a heading', () => {
    const widgets = dashboardWidgets(templateOf(defaultBuilt()));
    const titles = widgets.map((w) => w.properties.title ?? w.properties.markdown);
    expect(titles).toContain('default: messages');
    expect(titles).toContain('emails: worker');
    const heading = titles.indexOf('### Job types (metrics in namespace `Wharf`)');
    expect(heading).toBeGreaterThan(titles.indexOf('Job table: system errors'));
    expect(titles[heading + 1]).toBe('sendReport (default): runs by outcome');
  });

  it('reads the metrics in the namespace of `observability.namespace`', () => {
    const widgets = dashboardWidgets(templateOf(build({ observability: { namespace: 'Billing/Jobs' } })));
    const jobLines = jobWidgets(widgets, 'sendReport').flatMap(lines);
    expect(jobLines.length).toBeGreaterThan(0);
    expect(new Set(jobLines.map((l) => l.namespace))).toEqual(new Set(['Billing/Jobs']));
  });

  it('leaves the job types out with `observability.metrics: false`, and keeps the queue rows', () => {
    const widgets = dashboardWidgets(templateOf(build({ observability: { metrics: false } })));
    expect(widgets.flatMap(lines).filter((l) => l.namespace === 'Wharf')).toEqual([]);
    expect(widgets.some((w) => w.properties.markdown?.startsWith('### Job types'))).toBe(false);
    expect(widgets.map((w) => w.properties.title)).toContain('default: messages');
  });

  it(`gives the first ${JOB_TYPE_ROWS_LIMIT} job types a row each, and the others combined widgets with a line each`, () => {
    const count = JOB_TYPE_ROWS_LIMIT + JOB_TYPES_PER_COMBINED_WIDGET + 3;
    const names = Array.from({ length: count }, (_, i) => `job${String(i + 1).padStart(3, '0')}`);
    const built = build({
      registry: registryOf(...names.map((name, i) => ({ name, queue: i % 2 === 0 ? undefined : 'emails' }))),
      // The alarms are another test's; here they would only add resources.
      alarms: { deadLetterRate: { enabled: false } },
    });
    const widgets = dashboardWidgets(templateOf(built));
    expect(widgets.length).toBeLessThanOrEqual(500);
    const withRows = names.filter((name) => jobWidgets(widgets, name).length === 4);
    expect(withRows).toEqual(names.slice(0, JOB_TYPE_ROWS_LIMIT));
    const combined = widgets.filter((w) => w.properties.title?.startsWith('job types '));
    expect(combined.map((w) => w.properties.title)).toEqual([
      `job types 51-150: succeeded`,
      `job types 51-150: dead-lettered`,
      `job types 51-150: duration p95 (ms)`,
      `job types 51-150: latency p95 (ms)`,
      `job types 151-153: succeeded`,
      `job types 151-153: dead-lettered`,
      `job types 151-153: duration p95 (ms)`,
      `job types 151-153: latency p95 (ms)`,
    ]);
    for (const widget of combined)
      expect(lines(widget).length).toBeLessThanOrEqual(JOB_TYPES_PER_COMBINED_WIDGET);
    // Every job type beyond the rows is a line of each combined metric, with its own queue.
    const deadLines = combined.filter((w) => w.properties.title?.endsWith('dead-lettered')).flatMap(lines);
    expect(deadLines.map((l) => l.dimensions)).toEqual(
      names.slice(JOB_TYPE_ROWS_LIMIT).map((name, i) => ({
        JobName: name,
        Queue: (JOB_TYPE_ROWS_LIMIT + i) % 2 === 0 ? 'default' : 'emails',
      })),
    );
    expect(new Set(deadLines.map((l) => l.metric))).toEqual(new Set(['DeadLettered']));
    Annotations.fromStack(built.stack).hasInfo(
      '/Test/Jobs',
      Match.stringLikeRegexp(
        `${count} job types; the dashboard has a row for the first ${JOB_TYPE_ROWS_LIMIT}`,
      ),
    );
  });
});

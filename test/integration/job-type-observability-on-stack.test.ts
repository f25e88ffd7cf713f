import {
  DescribeAlarmsCommand,
  GetDashboardCommand,
  GetMetricDataCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../functions/registry';
import { DEFAULT_METRICS_NAMESPACE, JOB_DIMENSIONS, OUTCOME_METRICS } from '../../src/observe/metric-names';
import { cloudWatchClient } from '../helpers/aws';
import { type DeployedStack, deployExampleStack, functionConfiguration } from '../helpers/deploy-stack';

// The example app's stack deployed to moto's CloudFormation: the dashboard has a row per job type as CloudWatch
// stores it, and the dead-letter rate alarm's queries read the series a worker writes (namespace, JobName and
// Queue). moto's gaps, filled here: its CloudFormation skips AWS::CloudWatch::Alarm (test/integration/
// cdk-deploy.test.ts lists it), so each rate alarm of the deployed template is created with PutMetricAlarm from
// its own properties; and moto never evaluates metric math (in alarms or GetMetricData), so the expression is
// asserted as stored, and its inputs are read with their own MetricStat queries, the ones the alarm evaluates.
let deployed: DeployedStack;
let rateAlarms: MetricAlarm[];

beforeAll(async () => {
  deployed = await deployExampleStack();
  const cloudWatch = cloudWatchClient();
  const fromTemplate = Object.entries(deployed.template.Resources).filter(
    ([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.includes('DeadLetterRateAlarm'),
  ) as unknown as [string, { Properties: Omit<PutMetricAlarmCommandInput, 'AlarmName'> }][];
  for (const [id, { Properties }] of fromTemplate) {
    const { AlarmActions: _a, OKActions: _ok, ...alarm } = Properties;
    await cloudWatch.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: `${deployed.stackName}-${id}` }));
  }
  const { MetricAlarms } = await cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: `${deployed.stackName}-` }),
  );
  rateAlarms = MetricAlarms ?? [];
}, 240_000);

const jobNameOf = (alarm: MetricAlarm) =>
  alarm.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Metric?.Dimensions?.find((d) => d.Name === 'JobName')
    ?.Value;

describe('the job types on the deployed example stack (moto)', () => {
  it('has a dead-letter rate alarm per job type of the registry, its expression FILLed and thresholded', () => {
    expect(rateAlarms.map(jobNameOf).sort()).toEqual(registry.jobs.map((j) => j.name).sort());
    for (const alarm of rateAlarms) {
      expect(alarm).toMatchObject({ Threshold: 5, EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
      const expression = alarm.Metrics!.find((m) => m.ReturnData)!.Expression!;
      expect(expression).toMatch(/^IF\(\(FILL\(succeeded, 0\) \+ .*\) >= 10, 100 \* FILL\(dead, 0\) \//);
    }
  });

  it('reads, through the alarm’s own queries, the counts published with the job’s JobName and Queue', async () => {
    const job = registry.jobs.find((j) => j.options.queue !== 'default') ?? registry.jobs[0]!;
    const alarm = rateAlarms.find((a) => jobNameOf(a) === job.name)!;
    const cloudWatch = cloudWatchClient();
    const [jobDimension, queueDimension] = JOB_DIMENSIONS;
    const timestamp = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
    // What a worker's EMF document for one flush becomes in CloudWatch: 7 succeeded and 3 dead-lettered runs.
    await cloudWatch.send(
      new PutMetricDataCommand({
        Namespace: DEFAULT_METRICS_NAMESPACE,
        MetricData: [
          [OUTCOME_METRICS.succeeded, 7],
          [OUTCOME_METRICS.dead, 3],
        ].map(([name, value]) => ({
          MetricName: name as string,
          Value: value as number,
          Unit: 'Count',
          Timestamp: timestamp,
          Dimensions: [
            { Name: jobDimension, Value: job.name },
            { Name: queueDimension, Value: job.options.queue },
          ],
        })),
      }),
    );
    const queries = alarm.Metrics!.filter((m) => m.MetricStat);
    const { MetricDataResults } = await cloudWatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries.map((q) => ({ Id: q.Id, MetricStat: q.MetricStat, ReturnData: true })),
        StartTime: new Date(timestamp.getTime() - 600_000),
        EndTime: new Date(timestamp.getTime() + 600_000),
      }),
    );
    const sums = Object.fromEntries(
      (MetricDataResults ?? []).map((r) => [r.Id, (r.Values ?? []).reduce((a, b) => a + b, 0)]),
    );
    expect(sums).toEqual({ succeeded: 7, retried: 0, dead: 3, discarded: 0 });
  });

  it('draws a row per job type on the deployed dashboard, and gives every worker the metrics namespace', async () => {
    const [dashboardName] = deployed.resources['AWS::CloudWatch::Dashboard'] ?? [];
    const { DashboardBody } = await cloudWatchClient().send(
      new GetDashboardCommand({ DashboardName: dashboardName }),
    );
    const titles = (
      JSON.parse(DashboardBody!) as { widgets: { properties: { title?: string } }[] }
    ).widgets.map((w) => w.properties.title);
    for (const job of registry.jobs) {
      expect(titles).toContain(`${job.name} (${job.options.queue}): runs by outcome`);
      expect(titles).toContain(`${job.name} (${job.options.queue}): duration (ms)`);
    }
    for (const name of deployed.workerFunctions) {
      const variables = (
        (await functionConfiguration(name)).Environment as { Variables: Record<string, string> }
      ).Variables;
      if (!variables.WHARF_QUEUE) continue; // the outbox relay, if the app has one, runs no job
      expect(variables.WHARF_METRICS_NAMESPACE).toBe(DEFAULT_METRICS_NAMESPACE);
    }
  });
});

import { Duration } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { type Built, build, defaultBuilt, logicalId, templateOf } from './fixtures';

type Properties = Record<string, unknown> & { Metrics?: { Id: string; MetricStat?: unknown }[] };
const alarmProps = (b: Built, job: string): Properties => {
  const alarm = b.jobs.jobAlarms[job]?.deadLetterRate;
  if (!alarm) throw new Error(`no dead-letter rate alarm for ${job}`);
  const resources = templateOf(b).findResources('AWS::CloudWatch::Alarm');
  return resources[logicalId(b, alarm)]!.Properties as Properties;
};
const jobMetric = (name: string, job: string, queue: string, period: number, namespace = 'Wharf') => ({
  Metric: {
    MetricName: name,
    Namespace: namespace,
    Dimensions: [
      { Name: 'JobName', Value: job },
      { Name: 'Queue', Value: queue },
    ],
  },
  Period: period,
  Stat: 'Sum',
});
const runs = 'FILL(succeeded, 0) + FILL(retried, 0) + FILL(dead, 0) + FILL(discarded, 0)';
const rateExpression = (minimumRuns: number) =>
  `IF((${runs}) >= ${minimumRuns}, 100 * FILL(dead, 0) / (${runs}), 0)`;

describe('the dead-letter rate alarm per job type', () => {
  it('is dead letters over runs in percent, 0 below 10 runs, above 5% in 5 minutes, per JobName and Queue', () => {
    const built = defaultBuilt();
    expect(Object.keys(built.jobs.jobAlarms)).toEqual(['sendReport', 'sendWelcome', 'sendDigest']);
    const alarm = alarmProps(built, 'sendWelcome');
    expect(alarm).toMatchObject({
      Threshold: 5,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Metrics).toEqual([
      {
        Id: 'expr_1',
        Expression: rateExpression(10),
        Label: 'sendWelcome: dead-letter rate (%)',
        ReturnData: true,
      },
      ...(
        [
          ['succeeded', 'Succeeded'],
          ['retried', 'Retried'],
          ['dead', 'DeadLettered'],
          ['discarded', 'Discarded'],
        ] as const
      ).map(([id, name]) => ({
        Id: id,
        Label: name,
        ReturnData: false,
        MetricStat: jobMetric(name, 'sendWelcome', 'emails', 300),
      })),
    ]);
    expect(alarm.AlarmDescription).toContain('job "sendWelcome" (queue "emails")');
  });

  it('lives at JobTypes/<job>/DeadLetterRateAlarm', () => {
    const alarm = defaultBuilt().jobs.jobAlarms.sendDigest!.deadLetterRate!;
    expect(alarm.node.path).toBe('Test/Jobs/JobTypes/sendDigest/DeadLetterRateAlarm');
  });

  it('takes a threshold, period, periods and minimum runs for all, overrides per job name, and actions', () => {
    let topic: Topic | undefined;
    let everyRate: Topic | undefined;
    let pager: Topic | undefined;
    const built = build({ observability: { namespace: 'Shop' } }, (stack) => {
      topic = new Topic(stack, 'Alerts');
      everyRate = new Topic(stack, 'Rates');
      pager = new Topic(stack, 'Pager');
      return {
        alarmTopic: topic,
        alarms: {
          deadLetterRate: {
            threshold: 10,
            period: Duration.minutes(15),
            evaluationPeriods: 2,
            minimumRuns: 20,
            actions: [new SnsAction(everyRate)],
            jobs: {
              sendDigest: { threshold: 1, minimumRuns: 1, actions: [new SnsAction(pager)] },
              sendWelcome: { enabled: false },
            },
          },
        },
      };
    });
    const ref = (t: Topic | undefined) => ({ Ref: logicalId(built, t!) });
    const report = alarmProps(built, 'sendReport');
    expect(report).toMatchObject({
      Threshold: 10,
      EvaluationPeriods: 2,
      AlarmActions: [ref(topic), ref(everyRate)],
      OKActions: [ref(topic), ref(everyRate)],
    });
    expect(report.Metrics![0]).toMatchObject({ Expression: rateExpression(20) });
    expect(report.Metrics![3]).toMatchObject({
      MetricStat: jobMetric('DeadLettered', 'sendReport', 'default', 900, 'Shop'),
    });
    const digest = alarmProps(built, 'sendDigest');
    expect(digest).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 2,
      AlarmActions: [ref(topic), ref(everyRate), ref(pager)],
    });
    expect(digest.Metrics![0]).toMatchObject({ Expression: rateExpression(1) });
    expect(digest.Metrics![1]).toMatchObject({ MetricStat: { Period: 900 } });
    expect(built.jobs.jobAlarms.sendWelcome).toEqual({});
    const rateAlarms = Object.values(templateOf(built).findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      String(a.Properties.AlarmDescription).includes('were dead-lettered in'),
    );
    expect(rateAlarms).toHaveLength(2);
  });

  it('gets the alarm topic like every alarm', () => {
    let topic: Topic | undefined;
    const built = build({}, (stack) => {
      topic = new Topic(stack, 'Alerts');
      return { alarmTopic: topic };
    });
    expect(alarmProps(built, 'sendReport')).toMatchObject({
      AlarmActions: [{ Ref: logicalId(built, topic!) }],
      OKActions: [{ Ref: logicalId(built, topic!) }],
    });
  });

  it('is left out with `observability.metrics: false`, or with `deadLetterRate.enabled: false`', () => {
    for (const built of [
      build({ observability: { metrics: false } }),
      build({ alarms: { deadLetterRate: { enabled: false } } }),
    ]) {
      const descriptions = Object.values(templateOf(built).findResources('AWS::CloudWatch::Alarm')).map((a) =>
        String(a.Properties.AlarmDescription),
      );
      expect(descriptions.filter((d) => d.includes('were dead-lettered in'))).toEqual([]);
      // The queue alarms stay: 2 queues x 6, and the schedule group's 2.
      expect(descriptions).toHaveLength(14);
      expect(Object.values(built.jobs.jobAlarms).filter((a) => a.deadLetterRate)).toEqual([]);
    }
  });

  it('fails synth, naming every problem, for settings of unknown jobs, 0 minimum runs and a sub-minute period', () => {
    expect(() =>
      build({
        alarms: {
          deadLetterRate: {
            minimumRuns: 0,
            jobs: { sendReprot: { threshold: 1 }, nope: {}, sendDigest: { period: Duration.seconds(90) } },
          },
        },
      }),
    ).toThrow(
      [
        'alarms.deadLetterRate.jobs: "sendReprot", "nope" are not jobs of the registry (its jobs: sendReport, sendWelcome, sendDigest)',
        'alarms.deadLetterRate.minimumRuns: 0 must be a whole number of at least 1',
        'alarms.deadLetterRate.jobs.sendDigest.period: 90 seconds; the job-type metrics are standard resolution, so a period is a whole number of minutes',
      ]
        .map((p) => `  - ${p}`)
        .join('\n'),
    );
  });
});

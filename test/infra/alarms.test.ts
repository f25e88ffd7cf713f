import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { type Built, build, defaultBuilt, logicalId, templateOf } from './fixtures';

type AlarmResource = { Properties: Record<string, unknown> };
const alarms = (b: Built) =>
  templateOf(b).findResources('AWS::CloudWatch::Alarm') as Record<string, AlarmResource>;
const alarmOf = (b: Built, alarm: object) => alarms(b)[logicalId(b, alarm as never)]!.Properties;

describe('alarms', () => {
  it('fire again for each new dead letter: a rise in the dead-letter queue’s visible count in a minute', () => {
    const built = defaultBuilt();
    const alarm = alarmOf(built, built.jobs.alarms.default!.newDeadLetters!);
    const dlqName = { 'Fn::GetAtt': [logicalId(built, built.jobs.deadLetterQueues.default!), 'QueueName'] };
    expect(alarm).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: [
        { Expression: 'DIFF(waiting)', Id: 'expr_1' },
        {
          Id: 'waiting',
          ReturnData: false,
          MetricStat: {
            Metric: {
              MetricName: 'ApproximateNumberOfMessagesVisible',
              Namespace: 'AWS/SQS',
              Dimensions: [{ Name: 'QueueName', Value: dlqName }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    });
  });

  it('warn before a dead letter expires: at 75% of the dead-letter retention', () => {
    const built = build({ queues: { emails: { deadLetterRetentionPeriod: Duration.days(8) } } });
    const age = (q: string) => alarmOf(built, built.jobs.alarms[q]!.deadLetterAge!);
    expect(age('default')).toMatchObject({ MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 907_200 });
    expect(age('emails').Threshold).toBe(518_400);
  });

  it('watch the schedule group: target errors and dropped invocations', () => {
    const built = defaultBuilt();
    const group = built.stack.resolve(built.jobs.scheduleGroupName);
    for (const [alarm, metric] of [
      [built.jobs.scheduleAlarms.targetErrors!, 'TargetErrorCount'],
      [built.jobs.scheduleAlarms.dropped!, 'InvocationDroppedCount'],
    ] as const) {
      expect(alarmOf(built, alarm)).toMatchObject({
        Namespace: 'AWS/Scheduler',
        MetricName: metric,
        Dimensions: [{ Name: 'ScheduleGroup', Value: group }],
        Threshold: 0,
        Statistic: 'Sum',
      });
    }
  });

  it('take a threshold, periods and actions per alarm, actions for all, and can be switched off', () => {
    let shared: Topic | undefined;
    let pager: Topic | undefined;
    const built = build({}, (stack) => {
      shared = new Topic(stack, 'Shared');
      pager = new Topic(stack, 'Pager');
      return {
        oldestMessageAgeThreshold: Duration.hours(1),
        alarms: {
          actions: [new SnsAction(shared)],
          deadLetters: { threshold: 5, evaluationPeriods: 3, actions: [new SnsAction(pager)] },
          workerThrottles: { enabled: false },
        },
      };
    });
    const ref = (t: Topic) => ({ Ref: logicalId(built, t) });
    expect(alarmOf(built, built.jobs.alarms.default!.deadLetters!)).toMatchObject({
      Threshold: 5,
      EvaluationPeriods: 3,
      AlarmActions: [ref(shared!), ref(pager!)],
      OKActions: [ref(shared!), ref(pager!)],
    });
    expect(alarmOf(built, built.jobs.alarms.default!.oldestMessage!)).toMatchObject({
      Threshold: 3600,
      AlarmActions: [ref(shared!)],
    });
    expect(built.jobs.alarms.default!.workerThrottles).toBeUndefined();
    // Two queues x five alarms (throttles off), the schedule group's two, and a dead-letter rate alarm per job type.
    expect(Object.keys(alarms(built))).toHaveLength(15);
  });

  it('let CloudWatch use the key of an encrypted alarm topic, or notifications are dropped', () => {
    let key: Key | undefined;
    const built = build({}, (stack) => {
      key = new Key(stack, 'TopicKey', { enableKeyRotation: true });
      return { alarmTopic: new Topic(stack, 'Alerts', { masterKey: key }) };
    });
    templateOf(built).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'AllowCloudWatchAlarmsToPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
        ]),
      },
    });
  });

  it('say at synth that an imported topic key cannot be given to CloudWatch', () => {
    const built = build({}, (stack) => {
      const key = Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:123456789012:key/abc');
      return { alarmTopic: new Topic(stack, 'Alerts', { masterKey: key }) };
    });
    const warnings = built.jobs.node.metadata
      .filter((m) => m.type === 'aws:cdk:warning')
      .map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringMatching(
        /^wharf: the alarm topic's key arn:aws:kms:us-east-1:123456789012:key\/abc is not in this app.*cloudwatch\.amazonaws\.com kms:Decrypt and kms:GenerateDataKey\*/,
      ),
    ]);
  });
});

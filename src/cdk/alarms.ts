import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface QueueAlarmsInput {
  readonly queueName: string;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly worker?: IFunction;
  readonly oldestMessageAgeThreshold: Duration;
  readonly topic?: ITopic;
}

export interface QueueAlarms {
  readonly deadLetters: Alarm;
  readonly oldestMessage: Alarm;
  readonly workerErrors?: Alarm;
  readonly workerThrottles?: Alarm;
}

const FIVE_MINUTES = Duration.minutes(5);

/** The alarms that say a queue needs a person: dead letters, a backlog, a failing or throttled worker. */
export function createQueueAlarms(scope: Construct, input: QueueAlarmsInput): QueueAlarms {
  const { queueName: name, worker } = input;
  const alarm = (id: string, metric: IMetric, threshold: number, description: string) => {
    const created = new Alarm(scope, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      // An idle queue publishes no data points: that is health, not an unknown state.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    if (input.topic) {
      created.addAlarmAction(new SnsAction(input.topic));
      created.addOkAction(new SnsAction(input.topic));
    }
    return created;
  };
  return {
    deadLetters: alarm(
      'DeadLettersAlarm',
      input.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      0,
      `Dead letters wait on queue "${name}": inspect them (SQS console or the wharf CLI), then redrive or discard them`,
    ),
    oldestMessage: alarm(
      'OldestMessageAlarm',
      input.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      input.oldestMessageAgeThreshold.toSeconds(),
      `Jobs on queue "${name}" wait longer than ${input.oldestMessageAgeThreshold.toHumanString()}: the worker is down, throttled or too slow`,
    ),
    workerErrors: worker
      ? alarm(
          'WorkerErrorsAlarm',
          worker.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          0,
          `The worker of queue "${name}" failed whole invocations (not single jobs): a shared dependency or the worker itself is broken`,
        )
      : undefined,
    workerThrottles: worker
      ? alarm(
          'WorkerThrottlesAlarm',
          worker.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
          0,
          `The worker of queue "${name}" was throttled: raise its reserved concurrency or lower maxConcurrency`,
        )
      : undefined,
  };
}

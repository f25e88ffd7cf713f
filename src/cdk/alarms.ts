import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { WharfAlarmSettings, WharfAlarms } from './wharf-jobs-props.js';

export interface QueueAlarmsInput {
  readonly queueName: string;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly deadLetterRetention: Duration;
  readonly worker?: IFunction;
  readonly oldestMessageAgeThreshold: Duration;
}

export interface QueueAlarms {
  /** Dead letters wait: stays in ALARM (and notifies once) until the dead-letter queue is empty. */
  readonly deadLetters?: Alarm;
  /** A dead letter arrived in the last minute: notifies again for each arrival after a quiet minute. */
  readonly newDeadLetters?: Alarm;
  /** The oldest dead letter nears the end of its retention, when SQS deletes it unread. */
  readonly deadLetterAge?: Alarm;
  readonly oldestMessage?: Alarm;
  readonly workerErrors?: Alarm;
  readonly workerThrottles?: Alarm;
}

export interface ScheduleAlarms {
  readonly targetErrors?: Alarm;
  readonly dropped?: Alarm;
}

/** How alarms are made: the settings per alarm, and the actions every alarm gets. */
export interface AlarmPolicy {
  readonly options: WharfAlarms;
  readonly topic?: ITopic;
}

const ONE_MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);
/** A dead letter is worth a look before SQS deletes it: at 75% of the dead-letter queue's retention. */
const DEAD_LETTER_AGE_SHARE = 0.75;

type AlarmName = Exclude<keyof WharfAlarms, 'actions' | 'deadLetterRate'>;

/** The actions every alarm gets: `alarmTopic`, then `WharfAlarms.actions`. */
function sharedActions(policy: AlarmPolicy): IAlarmAction[] {
  return [...(policy.topic ? [new SnsAction(policy.topic)] : []), ...(policy.options.actions ?? [])];
}

/** One alarm in the house style: above the threshold, missing data as health, the same actions on alarm and OK. */
export function policyAlarm(
  scope: Construct,
  policy: AlarmPolicy,
  spec: {
    id: string;
    metric: IMetric;
    threshold: number;
    evaluationPeriods: number;
    description: string;
    actions: readonly IAlarmAction[];
  },
): Alarm {
  const alarm = new Alarm(scope, spec.id, {
    metric: spec.metric,
    threshold: spec.threshold,
    evaluationPeriods: spec.evaluationPeriods,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    // An idle queue publishes no data points: that is health, not an unknown state.
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: spec.description,
  });
  const actions = [...sharedActions(policy), ...spec.actions];
  if (actions.length > 0) {
    alarm.addAlarmAction(...actions);
    alarm.addOkAction(...actions);
  }
  return alarm;
}

/** Builds one alarm from its defaults and the user's settings for it; none when it is disabled. */
function alarmMaker(scope: Construct, policy: AlarmPolicy) {
  return (name: AlarmName, id: string, metric: IMetric, threshold: number, description: string) => {
    const settings: WharfAlarmSettings = policy.options[name] ?? {};
    if (settings.enabled === false) return undefined;
    return policyAlarm(scope, policy, {
      id,
      metric,
      threshold: settings.threshold ?? threshold,
      evaluationPeriods: settings.evaluationPeriods ?? 1,
      description,
      actions: settings.actions ?? [],
    });
  };
}

/** One alarm of the outbox relay (outbox.ts), made with the same settings and actions as every other. */
export function outboxAlarm(
  scope: Construct,
  policy: AlarmPolicy,
  spec: { name: AlarmName; id: string; metric: IMetric; threshold: number; description: string },
): Alarm | undefined {
  return alarmMaker(scope, policy)(spec.name, spec.id, spec.metric, spec.threshold, spec.description);
}

/** The alarms that say a queue needs a person: dead letters, a backlog, a failing or throttled worker. */
export function createQueueAlarms(
  scope: Construct,
  input: QueueAlarmsInput,
  policy: AlarmPolicy,
): QueueAlarms {
  const { queueName: name, worker, deadLetterQueue } = input;
  const alarm = alarmMaker(scope, policy);
  const waiting = deadLetterQueue.metricApproximateNumberOfMessagesVisible({
    period: ONE_MINUTE,
    statistic: 'Maximum',
  });
  const ageLimit = Math.floor(input.deadLetterRetention.toSeconds() * DEAD_LETTER_AGE_SHARE);
  return {
    deadLetters: alarm(
      'deadLetters',
      'DeadLettersAlarm',
      waiting,
      0,
      `Dead letters wait on queue "${name}": inspect them (SQS console or the wharf CLI), then redrive or discard them`,
    ),
    // The waiting alarm notifies once and stays in ALARM while any dead letter waits; this one looks at arrivals,
    // so a second failure an hour later notifies again. Moves by the redrive policy are not counted by
    // NumberOfMessagesSent, so arrivals are read as a rise of the visible count.
    newDeadLetters: alarm(
      'newDeadLetters',
      'NewDeadLettersAlarm',
      new MathExpression({
        expression: 'DIFF(waiting)',
        usingMetrics: { waiting },
        period: ONE_MINUTE,
        label: 'new dead letters',
      }),
      0,
      `A job of queue "${name}" was dead-lettered in the last minute (this alarm fires again for each new one after a quiet minute)`,
    ),
    deadLetterAge: alarm(
      'deadLetterAge',
      'DeadLetterAgeAlarm',
      deadLetterQueue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      ageLimit,
      `The oldest dead letter of queue "${name}" is older than ${Duration.seconds(ageLimit).toHumanString()}; SQS deletes ` +
        `dead letters after ${input.deadLetterRetention.toHumanString()}: redrive or discard it before then`,
    ),
    oldestMessage: alarm(
      'oldestMessage',
      'OldestMessageAlarm',
      input.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
      input.oldestMessageAgeThreshold.toSeconds(),
      `Jobs on queue "${name}" wait longer than ${input.oldestMessageAgeThreshold.toHumanString()}: the worker is down, throttled or too slow`,
    ),
    workerErrors: worker
      ? alarm(
          'workerErrors',
          'WorkerErrorsAlarm',
          worker.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
          0,
          `The worker of queue "${name}" failed whole invocations (not single jobs): a shared dependency or the worker itself is broken`,
        )
      : undefined,
    workerThrottles: worker
      ? alarm(
          'workerThrottles',
          'WorkerThrottlesAlarm',
          worker.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
          0,
          `The worker of queue "${name}" was throttled: raise its reserved concurrency or lower maxConcurrency`,
        )
      : undefined,
  };
}

/**
 * The schedule group's delivery failures: jobs due beyond 15 minutes and recurring firings that Scheduler could
 * not send (target errors, retried), and those it gave up on after its retries (dropped; the schedule's
 * dead-letter queue gets them when it can).
 */
export function createScheduleAlarms(
  scope: Construct,
  group: IScheduleGroup,
  policy: AlarmPolicy,
): ScheduleAlarms {
  const alarm = alarmMaker(scope, policy);
  return {
    targetErrors: alarm(
      'schedulerTargetErrors',
      'SchedulerTargetErrorsAlarm',
      group.metricTargetErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      0,
      'EventBridge Scheduler could not send delayed or recurring jobs to their queue (it retries): check the ' +
        "Scheduler role's permissions, the queue's key policy and that the queue exists",
    ),
    dropped: alarm(
      'schedulerDropped',
      'SchedulerDroppedAlarm',
      group.metricDropped({ period: FIVE_MINUTES, statistic: 'Sum' }),
      0,
      'EventBridge Scheduler gave up on delayed or recurring jobs after its retries: look for them in the ' +
        "queues' dead-letter queues (wharf dlq list)",
    ),
  };
}

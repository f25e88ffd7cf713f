import type { IRole } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule, type IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { isActiveIn, type RecurringTask, toRecurringSchedule } from '../schedule/define-recurring.js';
import { recurringScheduleName } from '../schedule/schedule-names.js';
import { DEFAULT_MAXIMUM_EVENT_AGE_SECONDS, DEFAULT_MAXIMUM_RETRY_ATTEMPTS } from '../schedule/types.js';

export interface RecurringSchedulesProps {
  readonly tasks: readonly RecurringTask[];
  /** Matched against each task's `environments`. */
  readonly environmentName?: string;
  readonly scheduleGroup: IScheduleGroup;
  readonly scheduleGroupName: string;
  readonly role: IRole;
  readonly queues: Readonly<Record<string, IQueue>>;
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
}

/**
 * One AWS::Scheduler::Schedule per recurring task that is enabled in this environment, under a construct
 * `Recurring/<task>`. The schedule is the one the runtime API would create (same name, expression, zone and
 * firing template): no flexible window, so each firing's scheduled time is exact; deliveries retried for a day,
 * then the queue's dead-letter queue. Returns the schedules by task.
 */
export function createRecurringSchedules(
  scope: Construct,
  props: RecurringSchedulesProps,
): Record<string, CfnSchedule> {
  const active = props.tasks.filter((task) => isActiveIn(task, props.environmentName));
  if (active.length === 0) return {};
  const parent = new Construct(scope, 'Recurring');
  const schedules: Record<string, CfnSchedule> = {};
  for (const task of active) {
    const s = toRecurringSchedule(task);
    const schedule = new CfnSchedule(parent, task.task, {
      name: recurringScheduleName(task.task),
      groupName: props.scheduleGroupName,
      description: s.description,
      scheduleExpression: s.expression,
      scheduleExpressionTimezone: s.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.queues[s.queue]!.queueArn,
        roleArn: props.role.roleArn,
        input: s.bodyTemplate,
        retryPolicy: {
          maximumEventAgeInSeconds: DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
          maximumRetryAttempts: DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
        },
        deadLetterConfig: { arn: props.deadLetterQueues[s.queue]!.queueArn },
      },
    });
    // The group's name is fixed at synth, so nothing references the group resource: order it explicitly.
    schedule.node.addDependency(props.scheduleGroup);
    schedules[task.task] = schedule;
  }
  return schedules;
}

/**
 * Tasks the construct cannot deploy, with the reason and the fix. A task limited to `environments` in a construct
 * without `environmentName` is one: nothing could ever match it, so the schedule would silently be missing from
 * every stack, the production one included. That is an error rather than a warning because the fix is one prop
 * and a missing nightly task is found only when its work has not been done.
 */
export function taskDeploymentProblems(
  tasks: readonly RecurringTask[],
  fifoQueues: ReadonlySet<string>,
  environmentName: string | undefined,
): string[] {
  const fifo = tasks
    .filter((task) => fifoQueues.has(task.job.options.queue))
    .map(
      (task) =>
        `recurring task "${task.task}": its job "${task.job.name}" runs on the FIFO queue "${task.job.options.queue}", ` +
        'which EventBridge Scheduler cannot use as a dead-letter queue and sends to only with a message group: run it on a standard queue',
    );
  if (environmentName !== undefined) return fifo;
  const unmatched = tasks
    .filter((task) => task.enabled && task.environments !== undefined)
    .map((task) => {
      const names = task.environments!.map((e) => JSON.stringify(e)).join(', ');
      const example = JSON.stringify(task.environments![0] ?? 'production').replace(/"/g, "'");
      return (
        `recurring task "${task.task}": it is limited to environments ${names}, but WharfJobs has no ` +
        'environmentName, so its schedule would be left out of the template: set environmentName to the environment ' +
        `this stack deploys (environmentName: ${example}), or drop environments to deploy it everywhere`
      );
    });
  return [...fifo, ...unmatched];
}

/** Enabled tasks this environment leaves out on purpose: said at synth (an info annotation), never silent. */
export function skippedTasks(tasks: readonly RecurringTask[], environmentName: string | undefined): string[] {
  return tasks
    .filter((task) => task.enabled && !isActiveIn(task, environmentName))
    .map((task) => `${task.task} (environments: ${task.environments?.join(', ')})`);
}

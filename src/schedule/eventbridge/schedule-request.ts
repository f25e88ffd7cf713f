import { ConfigError } from '../../errors.js';
import { formatScheduledTime } from '../context-attributes.js';
import { ONE_TIME_PREFIX } from '../schedule-names.js';
import type { OneTimeSchedule, RecurringSchedule, ScheduleRecord } from '../types.js';
import type { CreateScheduleInput, GetScheduleOutput, Target, UpdateScheduleInput } from './scheduler-api.js';

/** Where schedules go and what Scheduler sends with: resolved once by the adapter. */
export interface ScheduleTargets {
  readonly groupName: string;
  readonly roleArn: string;
  readonly queues: Readonly<Record<string, { readonly arn: string; readonly deadLetterArn: string }>>;
  readonly maximumEventAgeSeconds: number;
  readonly maximumRetryAttempts: number;
}

/**
 * A one-time schedule: `at()` in UTC to the second (rounded up, so it never fires before the job's time), deleted
 * by Scheduler after it has delivered (ActionAfterCompletion DELETE, so spent schedules do not pile up against the
 * quota), no flexible window. UpdateSchedule replaces the whole definition, so reschedule sends this same request.
 */
export function oneTimeRequest(t: ScheduleTargets, s: OneTimeSchedule, name: string): CreateScheduleInput {
  return {
    Name: name,
    GroupName: t.groupName,
    Description: describe(
      `wharf job ${s.jobName} ${s.jobId}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}`,
    ),
    ScheduleExpression: atExpression(s.runAtMs),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: target(t, s.queue, s.body),
  };
}

/** A recurring task's schedule, with the same target settings; what the CDK construct synthesizes too. */
export function recurringRequest(
  t: ScheduleTargets,
  s: RecurringSchedule,
  name: string,
): CreateScheduleInput {
  return {
    Name: name,
    GroupName: t.groupName,
    Description: describe(s.description ?? `wharf recurring task ${s.task} (job ${s.jobName})`),
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timeZone,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Target: target(t, s.queue, s.bodyTemplate),
  };
}

/**
 * The SQS templated target: Scheduler sends Input as the message body. Deliveries are retried for up to a day;
 * what still fails goes to the queue's own dead-letter queue, where alarms, the CLI and the dashboard already
 * look, and from where a redrive sends the envelope (the body) to the queue it was meant for.
 */
function target(t: ScheduleTargets, queue: string, input: string): Target {
  const arns = t.queues[queue];
  if (!arns) throw new ConfigError(`queue "${queue}" has no ARN configured for EventBridge Scheduler`);
  return {
    Arn: arns.arn,
    RoleArn: t.roleArn,
    Input: input,
    RetryPolicy: {
      MaximumEventAgeInSeconds: t.maximumEventAgeSeconds,
      MaximumRetryAttempts: t.maximumRetryAttempts,
    },
    DeadLetterConfig: { Arn: arns.deadLetterArn },
  };
}

export function atExpression(runAtMs: number): string {
  return `at(${formatScheduledTime(Math.ceil(runAtMs / 1000) * 1000).slice(0, 19)})`;
}

/** A schedule read back, in the port's terms. */
export function toRecord(t: ScheduleTargets, out: GetScheduleOutput): ScheduleRecord {
  const name = out.Name ?? '';
  const expression = out.ScheduleExpression ?? '';
  const queue = Object.entries(t.queues).find(([, arns]) => arns.arn === out.Target?.Arn)?.[0];
  const started = out.StartDate ?? out.CreationDate;
  return {
    name,
    kind: expression.startsWith('at(') || name.startsWith(ONE_TIME_PREFIX) ? 'one-time' : 'recurring',
    ...(queue ? { queue } : {}),
    expression,
    timeZone: out.ScheduleExpressionTimezone ?? 'UTC',
    enabled: out.State !== 'DISABLED',
    body: out.Target?.Input ?? '',
    ...(out.Description ? { description: out.Description } : {}),
    ...(started ? { startMs: started.getTime() } : {}),
    ...(out.LastModificationDate ? { modifiedAtMs: out.LastModificationDate.getTime() } : {}),
  };
}

/**
 * The UpdateSchedule request that changes only a schedule's State: UpdateSchedule replaces the whole definition,
 * so every field GetSchedule returned goes back as it was (a field left out would be reset to its default).
 */
export function stateRequest(out: GetScheduleOutput, enabled: boolean): UpdateScheduleInput {
  return {
    Name: out.Name,
    GroupName: out.GroupName,
    ScheduleExpression: out.ScheduleExpression,
    FlexibleTimeWindow: out.FlexibleTimeWindow,
    Target: out.Target,
    ...(out.ScheduleExpressionTimezone ? { ScheduleExpressionTimezone: out.ScheduleExpressionTimezone } : {}),
    ...(out.StartDate ? { StartDate: out.StartDate } : {}),
    ...(out.EndDate ? { EndDate: out.EndDate } : {}),
    ...(out.Description !== undefined ? { Description: out.Description } : {}),
    ...(out.KmsKeyArn ? { KmsKeyArn: out.KmsKeyArn } : {}),
    ...(out.ActionAfterCompletion ? { ActionAfterCompletion: out.ActionAfterCompletion } : {}),
    State: enabled ? 'ENABLED' : 'DISABLED',
  } as UpdateScheduleInput;
}

/** Scheduler's Description holds at most 512 characters; the full job id is in the body anyway. */
function describe(text: string): string {
  return text.length <= 512 ? text : `${text.slice(0, 511)}…`;
}

import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type IScheduleGroup, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface JobSchedules {
  readonly scheduleGroup: IScheduleGroup;
  readonly scheduleGroupName: string;
  /** Built from the name, not read from the resource, so nothing depends on the group's attributes. */
  readonly scheduleGroupArn: string;
  readonly schedulerRole: IRole;
}

/**
 * The schedule group that delayed and recurring jobs go in, and the role Scheduler assumes to deliver them. The
 * role trusts Scheduler only on behalf of this account and this group (confused-deputy prevention) and may only
 * send to the job queues and their dead-letter queues.
 */
export function createJobSchedules(
  scope: Construct,
  queues: readonly IQueue[],
  deadLetterQueues: readonly IQueue[],
  encryptionKey?: IKey,
): JobSchedules {
  // A name fixed at synth: producers and the role's trust policy need it before the group exists.
  const scheduleGroupName = Names.uniqueResourceName(scope, { maxLength: 64, separator: '-' });
  const scheduleGroup = new ScheduleGroup(scope, 'ScheduleGroup', { scheduleGroupName });
  const stack = Stack.of(scope);
  const scheduleGroupArn = stack.formatArn({
    service: 'scheduler',
    resource: 'schedule-group',
    resourceName: scheduleGroupName,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  const schedulerRole = new Role(scope, 'SchedulerRole', {
    description: 'EventBridge Scheduler delivers delayed and recurring wharf jobs to their queues',
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': scheduleGroupArn } },
    }),
  });
  // The dead-letter queues too: a delivery that keeps failing is sent there with this role (the schedules' DLQ).
  schedulerRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [...queues, ...deadLetterQueues].map((q) => q.queueArn),
    }),
  );
  encryptionKey?.grant(schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
  return { scheduleGroup, scheduleGroupName, scheduleGroupArn, schedulerRole };
}

/** ARN pattern of the schedules in a group (for CreateSchedule and GetSchedule grants). */
export function schedulesInGroupArn(scope: Construct, scheduleGroupName: string): string {
  return Stack.of(scope).formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${scheduleGroupName}/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

import { ArnFormat, Aws, Fn, Names, type RemovalPolicy, Stack } from 'aws-cdk-lib';
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
export interface JobSchedulesInput {
  readonly queues: readonly IQueue[];
  readonly deadLetterQueues: readonly IQueue[];
  readonly removalPolicy: RemovalPolicy;
  readonly environmentName?: string;
  readonly encryptionKey?: IKey;
}

/** Scheduler's limit on a group name. */
const MAX_GROUP_NAME = 64;
/** The first block of the stack's id (a UUID): 8 hex characters. */
const STACK_ID_PART = 8;

export function createJobSchedules(scope: Construct, input: JobSchedulesInput): JobSchedules {
  const scheduleGroupName = groupName(scope, input.environmentName);
  const scheduleGroup = new ScheduleGroup(scope, 'ScheduleGroup', {
    scheduleGroupName,
    removalPolicy: input.removalPolicy,
  });
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
      resources: [...input.queues, ...input.deadLetterQueues].map((q) => q.queueArn),
    }),
  );
  input.encryptionKey?.grant(schedulerRole, 'kms:GenerateDataKey', 'kms:Decrypt');
  return { scheduleGroup, scheduleGroupName, scheduleGroupArn, schedulerRole };
}

/**
 * The group's name: the construct's path, the environment, and the first block of the stack's id. Producers
 * and the role's trust policy take it from the template, not from the group's attributes. The stack id part
 * makes every creation of the stack a new name: the group is retained (it holds the jobs waiting beyond 15
 * minutes), so a stack deleted and created again would otherwise collide with the group it left behind.
 */
function groupName(scope: Construct, environmentName: string | undefined): string {
  const environment = environmentName ? environmentName.replace(/[^0-9A-Za-z_.-]/g, '-').slice(0, 16) : '';
  const room = MAX_GROUP_NAME - STACK_ID_PART - 1 - (environment ? environment.length + 1 : 0);
  const base = Names.uniqueResourceName(scope, { maxLength: room, separator: '-' });
  const stackIdPart = Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
  return [base, environment, stackIdPart].filter((part) => part !== '').join('-');
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

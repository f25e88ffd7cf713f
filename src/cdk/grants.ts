import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeSchedulesWildcard } from './nag-suppressions.js';
import { schedulesInGroupArn } from './scheduler.js';

/** What the intent grants grant on: the resources of one WharfJobs. */
export interface GrantTargets {
  readonly scope: Construct;
  readonly queues: readonly IQueue[];
  readonly deadLetterQueues: readonly IQueue[];
  readonly table: ITable;
  readonly statusIndexName: string;
  readonly encryptionKey?: IKey;
  readonly scheduleGroupName: string;
  readonly schedulerRole: IRole;
  /**
   * The ARNs of the worker functions' event source mappings, read when a grant is made (the workers are created
   * after the targets): what pausing a queue switches off.
   */
  readonly eventSourceMappingArns: () => readonly string[];
}

/** The job-state calls a run makes (src/store/dynamodb): single-item reads and conditional writes, no scans. */
/** Job records, slots, throttles, and what enqueue control keeps: a unique key and an outbox entry are deleted. */
export const JOB_STATE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];
/**
 * Job lookups and listings: the status index is keys-only, so a listing reads the records back in batches; and it
 * is sparse, so a listing without a status, or of one it leaves out (running, succeeded), scans the table.
 */
export const JOB_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
];
export const CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
];
export const DEAD_LETTER_OPERATE_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
  'sqs:StartMessageMoveTask',
  'sqs:ListMessageMoveTasks',
];
/**
 * The pauses of queues and job types (one item of the job table), and cancellations (the job's record): read,
 * and written with a condition.
 */
export const PAUSE_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
/** What DynamoDB needs of a caller on the table's customer managed key: the set CDK's own table grants use. */
export const TABLE_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];
export const TABLE_KEY_WRITE_ACTIONS = [
  ...TABLE_KEY_READ_ACTIONS,
  'kms:Encrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
];
/** SQS's documented producer permissions on a customer managed key: a data key to encrypt, Decrypt to verify it. */
export const KMS_SEND_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/** What a producer does with schedules: jobs due beyond 15 minutes, cancel, reschedule, run-time recurring tasks. */
export const SCHEDULE_ENQUEUE_ACTIONS = [
  'scheduler:CreateSchedule',
  'scheduler:GetSchedule',
  'scheduler:UpdateSchedule',
  'scheduler:DeleteSchedule',
];

/**
 * Enqueue: sending (grantSend), and the job-table items a producer writes (grantEnqueueControl).
 */
export function grantEnqueue(targets: GrantTargets, grantee: IGrantable): Grant {
  return combine([grantSend(targets, grantee), grantEnqueueControl(targets, grantee)]);
}

/**
 * Sending jobs: sqs:SendMessage on every job queue (SendMessageBatch is authorized by it), and for delays beyond
 * SQS's 15 minutes, cancel and reschedule, scheduler:CreateSchedule, GetSchedule, UpdateSchedule and
 * DeleteSchedule in the job schedule group with iam:PassRole on the Scheduler role only. What every sender needs:
 * a producer, a worker's retries and follow-up jobs, the outbox relay.
 */
export function grantSend(targets: GrantTargets, grantee: IGrantable): Grant {
  const arns = targets.queues.map((q) => q.queueArn);
  const schedules = schedulesInGroupArn(targets.scope, targets.scheduleGroupName);
  acknowledgeSchedulesWildcard(grantee, Stack.of(targets.scope), targets.scheduleGroupName);
  return combine([
    Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: arns }),
    Grant.addToPrincipal({ grantee, actions: SCHEDULE_ENQUEUE_ACTIONS, resourceArns: [schedules] }),
    Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [targets.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
    kmsGrant(targets, grantee, KMS_SEND_ACTIONS),
  ]);
}

/** The items a producer writes for unique keys and debounced bursts (store/dynamodb/enqueue-item.ts). */
export const ENQUEUE_CONTROL_KEYS = ['unique#*', 'debounce#*'];
/** Job records: `cancel` reads one and writes its cancellation (store/dynamodb/job-item.ts). */
export const JOB_RECORD_KEYS = ['job#*'];
/**
 * Batch records (store/dynamodb/batch-item.ts): `enqueueBatch` creates one, takes out the children it could not
 * send, and reads it back (and sends the callbacks when those were the last).
 */
export const BATCH_KEYS = ['batch#*'];

/**
 * What a producer writes in the job table, and nothing else of it (README "Unique jobs", "Debounce", "Cancel"):
 * unique keys and debounced bursts, and, for `cancel`, a job record's read and its conditional update. The
 * `dynamodb:LeadingKeys` condition is the partition key of each request, matched whole against the patterns, so
 * a producer cannot write a slot, a pause or an outbox entry, nor put or delete a job record.
 */
export function grantEnqueueControl(targets: GrantTargets, grantee: IGrantable): Grant {
  const byKey = (keys: readonly string[]) => ({
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...keys] },
  });
  const { table } = targets;
  return combine([
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resourceArns: [table.tableArn],
      conditions: byKey(ENQUEUE_CONTROL_KEYS),
    }),
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resourceArns: [table.tableArn],
      conditions: byKey(JOB_RECORD_KEYS),
    }),
    Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'],
      resourceArns: [table.tableArn],
      conditions: byKey(BATCH_KEYS),
    }),
    table.encryptionKey?.grant(grantee, ...TABLE_KEY_WRITE_ACTIONS),
  ]);
}

/** A worker on any of the queues (a long-running worker process): receive and settle, then run the jobs. */
export function grantConsume(targets: GrantTargets, grantee: IGrantable): Grant {
  return combine([
    Grant.addToPrincipal({
      grantee,
      actions: CONSUME_ACTIONS,
      resourceArns: targets.queues.map((q) => q.queueArn),
    }),
    grantRunJobs(targets, grantee, targets.deadLetterQueues),
  ]);
}

/**
 * What running jobs needs beyond receiving (which a Lambda worker's event source grants): write dead letters to
 * the given dead-letter queues, enqueue (retries and follow-up jobs) and the job-state writes.
 */
export function grantRunJobs(
  targets: GrantTargets,
  grantee: IGrantable,
  deadLetterQueues: readonly IQueue[],
): Grant {
  return combine([
    Grant.addToPrincipal({
      grantee,
      actions: ['sqs:SendMessage'],
      resourceArns: deadLetterQueues.map((q) => q.queueArn),
    }),
    grantSend(targets, grantee),
    grantJobState(targets, grantee),
  ]);
}

export function grantJobState(targets: GrantTargets, grantee: IGrantable): Grant {
  return combine([
    Grant.addToPrincipal({
      grantee,
      actions: JOB_STATE_ACTIONS,
      resourceArns: [targets.table.tableArn],
    }),
    targets.table.encryptionKey?.grant(grantee, ...TABLE_KEY_WRITE_ACTIONS),
  ]);
}

/**
 * What the CLI and the dashboard need: read, settle and redrive dead letters (StartMessageMoveTask to the source
 * queue, which needs SendMessage there), queue statistics, job lookups through the status index, schedules,
 * pause and resume, and cancel (a waiting job's schedule deleted, or its record written: the pause grant's table
 * actions cover the record).
 */
export function grantOperate(targets: GrantTargets, grantee: IGrantable): Grant {
  const { table } = targets;
  const schedules = schedulesInGroupArn(targets.scope, targets.scheduleGroupName);
  acknowledgeSchedulesWildcard(grantee, Stack.of(targets.scope), targets.scheduleGroupName);
  return combine([
    Grant.addToPrincipal({
      grantee,
      actions: DEAD_LETTER_OPERATE_ACTIONS,
      resourceArns: targets.deadLetterQueues.map((q) => q.queueArn),
    }),
    Grant.addToPrincipal({
      grantee,
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      resourceArns: targets.queues.map((q) => q.queueArn),
    }),
    Grant.addToPrincipal({
      grantee,
      actions: JOB_READ_ACTIONS,
      resourceArns: [table.tableArn, `${table.tableArn}/index/${targets.statusIndexName}`],
    }),
    table.encryptionKey?.grant(grantee, ...TABLE_KEY_READ_ACTIONS),
    Grant.addToPrincipal({
      grantee,
      actions: ['scheduler:GetSchedule', 'scheduler:DeleteSchedule'],
      resourceArns: [schedules],
    }),
    // ListSchedules has no resource type: it can only be granted on "*" (filtered by group in the request).
    Grant.addToPrincipal({ grantee, actions: ['scheduler:ListSchedules'], resourceArns: ['*'] }),
    kmsGrant(targets, grantee, KMS_SEND_ACTIONS),
    grantPause(targets, grantee, schedules),
  ]);
}

/**
 * Pause and resume (ops): the pause item of the job table, the worker functions' event source mappings of a
 * paused queue, and a recurring schedule's State. UpdateSchedule sends the schedule's whole definition back,
 * target role included, so it passes the Scheduler role.
 */
function grantPause(targets: GrantTargets, grantee: IGrantable, schedules: string): Grant {
  const mappings = targets.eventSourceMappingArns();
  return combine([
    Grant.addToPrincipal({ grantee, actions: PAUSE_TABLE_ACTIONS, resourceArns: [targets.table.tableArn] }),
    // The pause item is written: the table's customer managed key encrypts it.
    targets.table.encryptionKey?.grant(grantee, ...TABLE_KEY_WRITE_ACTIONS),
    // ListEventSourceMappings has no resource type: "*" only (the request filters by the queue's ARN).
    Grant.addToPrincipal({ grantee, actions: ['lambda:ListEventSourceMappings'], resourceArns: ['*'] }),
    mappings.length > 0
      ? Grant.addToPrincipal({
          grantee,
          actions: ['lambda:UpdateEventSourceMapping'],
          resourceArns: [...mappings],
        })
      : undefined,
    Grant.addToPrincipal({ grantee, actions: ['scheduler:UpdateSchedule'], resourceArns: [schedules] }),
    Grant.addToPrincipal({
      grantee,
      actions: ['iam:PassRole'],
      resourceArns: [targets.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  ]);
}

function kmsGrant(targets: GrantTargets, grantee: IGrantable, actions: readonly string[]): Grant | undefined {
  return targets.encryptionKey?.grant(grantee, ...actions);
}

function combine(grants: readonly (Grant | undefined)[]): Grant {
  const [first, ...rest] = grants.filter((g): g is Grant => g !== undefined);
  return rest.reduce((all, g) => all.combine(g), first!);
}

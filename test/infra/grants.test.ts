import type { Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { type Built, build, defaultBuilt, logicalId, scheduleGroupArnOf, templateOf } from './fixtures';

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
  Condition?: unknown;
}

/** Every statement of every policy attached to the role with this logical id. */
function statementsOf(built: Built, roleId: string): Statement[] {
  const policies = Object.values(templateOf(built).findResources('AWS::IAM::Policy'));
  return policies
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const arn = (built: Built, c: Parameters<typeof logicalId>[1]) => ({
  'Fn::GetAtt': [logicalId(built, c), 'Arn'],
});
const sourceArns = (b: Built) => [arn(b, b.jobs.queues.default!), arn(b, b.jobs.queues.emails!)];
const deadLetterArns = (b: Built) => [
  arn(b, b.jobs.deadLetterQueues.default!),
  arn(b, b.jobs.deadLetterQueues.emails!),
];
const schedulesArn = (b: Built) => scheduleGroupArnOf(b, 'schedule');

/** What every sender is granted (grantSend): the queues, the schedules, PassRole, and the queues' key if any. */
function sendStatements(b: Built, queueKey?: Key): Statement[] {
  return [
    { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: sourceArns(b) },
    {
      Action: [
        'scheduler:CreateSchedule',
        'scheduler:GetSchedule',
        'scheduler:UpdateSchedule',
        'scheduler:DeleteSchedule',
      ],
      Effect: 'Allow',
      Resource: schedulesArn(b),
    },
    {
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: arn(b, b.jobs.schedulerRole as Role),
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    },
    ...(queueKey
      ? [{ Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: arn(b, queueKey) }]
      : []),
  ];
}

/**
 * grantEnqueue's statements: sending, plus the job-table items a producer writes, by key prefix only: unique keys
 * and debounced bursts, a job record's read and update for `cancel`, and batch records (README "Batches").
 */
function enqueueStatements(b: Built, queueKey?: Key): Statement[] {
  const table = arn(b, b.jobs.table as never);
  return [
    ...sendStatements(b, queueKey),
    {
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      Effect: 'Allow',
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['unique#*', 'debounce#*'] } },
    },
    {
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Effect: 'Allow',
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['job#*'] } },
    },
    {
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:GetItem'],
      Effect: 'Allow',
      Resource: table,
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['batch#*'] } },
    },
  ];
}

/** What running jobs writes in the job table, whatever the key. */
const jobStateStatement = (b: Built): Statement => ({
  Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  Effect: 'Allow',
  Resource: arn(b, b.jobs.table as never),
});

function withRole(setup?: (stack: Stack) => { encryptionKey?: Key }) {
  let role: Role | undefined;
  let key: Key | undefined;
  const built = build({}, (stack) => {
    role = new Role(stack, 'Grantee', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
    key = setup?.(stack).encryptionKey;
    return { encryptionKey: key };
  });
  return { built, role: role!, key, roleId: logicalId(built, role!) };
}

const cmk = (stack: Stack) => ({ encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }) });

describe('grantEnqueue', () => {
  it('grants exactly SendMessage on the queues, schedule create/get/update/delete in the group and PassRole on the Scheduler role', () => {
    const { built, role, roleId } = withRole();
    built.jobs.grantEnqueue(role);
    expect(statementsOf(built, roleId)).toEqual(enqueueStatements(built));
  });

  it('adds GenerateDataKey and Decrypt on the key when the queues use a customer managed key', () => {
    const { built, role, roleId, key } = withRole(cmk);
    built.jobs.grantEnqueue(role);
    expect(statementsOf(built, roleId)).toEqual(enqueueStatements(built, key));
  });
});

describe('configureProducer', () => {
  it('grants enqueue and sets the environment variables the client reads', () => {
    let producer: LambdaFunction | undefined;
    const built = build({}, (stack) => {
      producer = new LambdaFunction(stack, 'Api', {
        runtime: Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: Code.fromInline('0'),
      });
      return {};
    });
    built.jobs.configureProducer(producer!);
    const resources = templateOf(built).toJSON().Resources;
    expect(resources[logicalId(built, producer!)].Properties.Environment.Variables).toEqual({
      WHARF_TABLE_NAME: { Ref: logicalId(built, built.jobs.table as never) },
      WHARF_SCHEDULE_GROUP: built.stack.resolve(built.jobs.scheduleGroupName),
      WHARF_SCHEDULER_ROLE_ARN: arn(built, built.jobs.schedulerRole as Role),
      WHARF_QUEUE_URL_DEFAULT: { Ref: logicalId(built, built.jobs.queues.default!) },
      WHARF_DLQ_URL_DEFAULT: { Ref: logicalId(built, built.jobs.deadLetterQueues.default!) },
      WHARF_QUEUE_URL_EMAILS: { Ref: logicalId(built, built.jobs.queues.emails!) },
      WHARF_DLQ_URL_EMAILS: { Ref: logicalId(built, built.jobs.deadLetterQueues.emails!) },
    });
    const roleId = logicalId(built, producer!.role as Role);
    expect(statementsOf(built, roleId)).toEqual(enqueueStatements(built));
  });
});

describe('grantConsume', () => {
  it('grants receiving from every queue, dead letters, enqueue and the job-state writes', () => {
    const { built, role, roleId, key } = withRole(cmk);
    built.jobs.grantConsume(role);
    expect(statementsOf(built, roleId)).toEqual([
      {
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        Effect: 'Allow',
        Resource: sourceArns(built),
      },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: deadLetterArns(built) },
      ...sendStatements(built, key),
      jobStateStatement(built),
    ]);
  });
});

describe('grantOperate', () => {
  it('grants dead-letter handling and redrive, queue statistics, job lookups, schedule reads and cancel', () => {
    const { built, role, roleId, key } = withRole(cmk);
    built.jobs.grantOperate(role);
    const table = arn(built, built.jobs.table as never);
    expect(statementsOf(built, roleId)).toEqual([
      {
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
          'sqs:StartMessageMoveTask',
          'sqs:ListMessageMoveTasks',
        ],
        Effect: 'Allow',
        Resource: deadLetterArns(built),
      },
      { Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes'], Effect: 'Allow', Resource: sourceArns(built) },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'],
        Effect: 'Allow',
        Resource: [table, { 'Fn::Join': ['', [table, '/index/byStatus']] }],
      },
      {
        Action: ['scheduler:GetSchedule', 'scheduler:DeleteSchedule'],
        Effect: 'Allow',
        Resource: schedulesArn(built),
      },
      { Action: 'scheduler:ListSchedules', Effect: 'Allow', Resource: '*' },
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: arn(built, key!) },
      ...pauseStatements(built),
    ]);
  });

  it("lets pause and resume switch exactly the workers' own event source mappings, and no other", () => {
    const { built, role, roleId } = withRole();
    built.jobs.grantOperate(role);
    const statements = statementsOf(built, roleId);
    expect(statements).toEqual(expect.arrayContaining(pauseStatements(built)));
    const mappings = templateOf(built).findResources('AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toHaveLength(2);
    const update = statements.find((st) => st.Action === 'lambda:UpdateEventSourceMapping');
    expect(update?.Resource).toEqual(
      Object.keys(mappings).map((id) => ({ 'Fn::GetAtt': [id, 'EventSourceMappingArn'] })),
    );
    // Only ListEventSourceMappings, which has no resource type, is granted on "*" among the Lambda actions.
    const lambdaOnAll = statements.filter(
      (st) => JSON.stringify(st.Action).includes('lambda:') && st.Resource === '*',
    );
    expect(lambdaOnAll.map((st) => st.Action)).toEqual(['lambda:ListEventSourceMappings']);
  });
});

/** The pause item of the table, the workers' event source mappings, and a schedule's State (see grants.ts). */
function pauseStatements(b: Built): Statement[] {
  // Each worker's mapping: the EventSourceMapping that addEventSource made (its id starts with SqsEventSource).
  const mappings = Object.values(b.jobs.workers).map((fn) => ({
    'Fn::GetAtt': [
      logicalId(b, fn.node.findAll().find((c) => c.node.id.startsWith('SqsEventSource'))!),
      'EventSourceMappingArn',
    ],
  }));
  return [
    {
      Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      Effect: 'Allow',
      Resource: arn(b, b.jobs.table as never),
    },
    { Action: 'lambda:ListEventSourceMappings', Effect: 'Allow', Resource: '*' },
    { Action: 'lambda:UpdateEventSourceMapping', Effect: 'Allow', Resource: mappings },
    { Action: 'scheduler:UpdateSchedule', Effect: 'Allow', Resource: schedulesArn(b) },
    {
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: arn(b, b.jobs.schedulerRole as Role),
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    },
  ];
}

describe('worker and Scheduler roles', () => {
  it('lets a worker consume its own queue, dead-letter to its own dead-letter queue, enqueue and write job state', () => {
    const built = defaultBuilt();
    const roleId = logicalId(built, built.jobs.workers.emails!.role as Role);
    const logGroupArn = { 'Fn::GetAtt': [expect.stringMatching(/^JobsemailsWorkerLogGroup/), 'Arn'] };
    expect(statementsOf(built, roleId)).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: logGroupArn },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      {
        Action: [
          'sqs:ReceiveMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueUrl',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
        ],
        Effect: 'Allow',
        Resource: arn(built, built.jobs.queues.emails!),
      },
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: arn(built, built.jobs.deadLetterQueues.emails!),
      },
      ...sendStatements(built),
      jobStateStatement(built),
    ]);
  });

  it('gives a worker every key permission its paths need when the queues use a customer managed key', () => {
    // Without kms:Decrypt a consumer never processes anything; without GenerateDataKey no retry or dead letter is sent.
    const { built, key } = withRole(cmk);
    const roleId = logicalId(built, built.jobs.workers.default!.role as Role);
    const keyStatements = statementsOf(built, roleId).filter(
      (s) => JSON.stringify(s.Resource) === JSON.stringify(arn(built, key!)),
    );
    expect(keyStatements).toEqual([
      { Action: 'kms:Decrypt', Effect: 'Allow', Resource: arn(built, key!) },
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: arn(built, key!) },
    ]);
  });

  it('lets Scheduler send to the job queues and their dead-letter queues only, with the key when there is one', () => {
    const { built, key } = withRole(cmk);
    const roleId = logicalId(built, built.jobs.schedulerRole as Role);
    expect(statementsOf(built, roleId)).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: [...sourceArns(built), ...deadLetterArns(built)],
      },
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: arn(built, key!) },
    ]);
  });
});

import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { type IamRequest, iamRequestsOf, kmsRequestsOf, type RecordedCall } from '../helpers/iam-requests';

// The mapping from SDK calls to IAM requests is what the grant simulation (test/integration/grants-simulation)
// stands on; these are its cases that wharf's code paths do not all take today (transactions, batch writes).
const where = {
  region: 'eu-west-1',
  accountId: '111122223333',
  keyOfQueue: (arn: string) =>
    arn.endsWith(':jobs') ? 'arn:aws:kms:eu-west-1:111122223333:key/k1' : undefined,
  keyOfTable: (arn: string) =>
    arn.endsWith(':table/wharf') ? 'arn:aws:kms:eu-west-1:111122223333:key/t1' : undefined,
};
const url = 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs';
const queue = 'arn:aws:sqs:eu-west-1:111122223333:jobs';
const table = 'arn:aws:dynamodb:eu-west-1:111122223333:table/wharf';
const requestsOf = (service: RecordedCall['service'], command: string, input: Record<string, unknown>) =>
  iamRequestsOf({ service, command, input }, where).map(({ from: _from, ...r }) => r);

describe('iamRequestsOf', () => {
  it('authorizes SQS batches by their single action, on the queue of the URL', () => {
    for (const [command, action] of [
      ['SendMessageBatch', 'sqs:SendMessage'],
      ['DeleteMessageBatch', 'sqs:DeleteMessage'],
      ['ChangeMessageVisibilityBatch', 'sqs:ChangeMessageVisibility'],
    ]) {
      expect(requestsOf('sqs', command!, { QueueUrl: url })).toEqual([{ action, resource: queue }]);
    }
  });

  it('reads the account from a queue URL of any host, and the region from the recorder on an emulator', () => {
    expect(requestsOf('sqs', 'ReceiveMessage', { QueueUrl: 'http://127.0.0.1:5000/123456789012/q' })).toEqual(
      [{ action: 'sqs:ReceiveMessage', resource: 'arn:aws:sqs:eu-west-1:123456789012:q' }],
    );
  });

  it('splits a transaction into the per-item actions it implies, on each item table', () => {
    const other = 'arn:aws:dynamodb:eu-west-1:111122223333:table/other';
    const TransactItems = [
      { Put: { TableName: 'wharf' } },
      { Update: { TableName: 'wharf' } },
      { Delete: { TableName: 'other' } },
      { ConditionCheck: { TableName: 'other' } },
    ];
    expect(requestsOf('dynamodb', 'TransactWriteItems', { TransactItems })).toEqual([
      { action: 'dynamodb:PutItem', resource: table },
      { action: 'dynamodb:UpdateItem', resource: table },
      { action: 'dynamodb:DeleteItem', resource: other },
      { action: 'dynamodb:ConditionCheckItem', resource: other },
    ]);
  });

  it('names every table of a batch, and the index of a query', () => {
    expect(requestsOf('dynamodb', 'BatchWriteItem', { RequestItems: { wharf: [], other: [] } })).toEqual([
      { action: 'dynamodb:BatchWriteItem', resource: table },
      { action: 'dynamodb:BatchWriteItem', resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/other' },
    ]);
    expect(requestsOf('dynamodb', 'Query', { TableName: 'wharf', IndexName: 'byStatus' })).toEqual([
      { action: 'dynamodb:Query', resource: `${table}/index/byStatus` },
    ]);
  });

  it('passes the target role to Scheduler with a schedule it creates or updates', () => {
    const input = {
      Name: 'job.1',
      GroupName: 'g',
      Target: { Arn: queue, RoleArn: 'arn:aws:iam::111122223333:role/s' },
    };
    expect(requestsOf('scheduler', 'UpdateSchedule', input)).toEqual([
      {
        action: 'scheduler:UpdateSchedule',
        resource: 'arn:aws:scheduler:eu-west-1:111122223333:schedule/g/job.1',
      },
      {
        action: 'iam:PassRole',
        resource: 'arn:aws:iam::111122223333:role/s',
        context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      },
    ]);
  });

  it('refuses a call it has no mapping for, so a new call cannot go unproven', () => {
    expect(() => requestsOf('sqs', 'DeleteQueue', { QueueUrl: url })).toThrow(
      /no IAM mapping for SQS DeleteQueue/,
    );
  });
});

describe('kmsRequestsOf', () => {
  it('adds the key requests SQS makes as the caller on a queue with a customer managed key, and none without', () => {
    const send: IamRequest = { action: 'sqs:SendMessage', resource: queue, from: 'x' };
    expect(kmsRequestsOf(send, where).map((r) => r.action)).toEqual(['kms:GenerateDataKey', 'kms:Decrypt']);
    expect(kmsRequestsOf({ ...send, action: 'sqs:ReceiveMessage' }, where).map((r) => r.action)).toEqual([
      'kms:Decrypt',
    ]);
    expect(kmsRequestsOf({ ...send, resource: `${queue}-dlq` }, where)).toEqual([]);
  });

  it('adds the Decrypt of the table key DynamoDB makes as the caller on items of a table with a customer managed key', () => {
    const decrypt = {
      action: 'kms:Decrypt',
      resource: 'arn:aws:kms:eu-west-1:111122223333:key/t1',
      context: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com', 'kms:CallerAccount': '111122223333' },
    };
    const kmsOf = (action: string, resource = table) =>
      kmsRequestsOf({ action, resource, from: 'x' }, where).map(({ from: _from, ...r }) => r);
    for (const action of ['GetItem', 'PutItem', 'UpdateItem', 'BatchGetItem', 'Scan', 'ConditionCheckItem'])
      expect(kmsOf(`dynamodb:${action}`)).toEqual([decrypt]);
    expect(kmsOf('dynamodb:Query', `${table}/index/byStatus`)).toEqual([decrypt]);
    // Not an access to items: no table key.
    expect(kmsOf('dynamodb:DescribeTable')).toEqual([]);
    expect(kmsOf('dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:111122223333:table/other')).toEqual([]);
  });
});

describe('every action the mapping produces', () => {
  it('is an IAM action the simulator knows, on a resource of a type it accepts', async () => {
    const calls: [RecordedCall['service'], string, Record<string, unknown>][] = [
      ...[
        'SendMessage',
        'ReceiveMessage',
        'DeleteMessage',
        'ChangeMessageVisibility',
        'GetQueueAttributes',
      ].map(
        (c) => ['sqs', c, { QueueUrl: url }] as [RecordedCall['service'], string, Record<string, unknown>],
      ),
      ['sqs', 'StartMessageMoveTask', { SourceArn: `${queue}-dlq`, DestinationArn: queue }],
      ['sqs', 'ListMessageMoveTasks', { SourceArn: `${queue}-dlq` }],
      ...['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Scan'].map(
        (c) =>
          ['dynamodb', c, { TableName: 'wharf' }] as [
            RecordedCall['service'],
            string,
            Record<string, unknown>,
          ],
      ),
      ['dynamodb', 'Query', { TableName: 'wharf', IndexName: 'byStatus' }],
      ['dynamodb', 'BatchGetItem', { RequestItems: { wharf: {} } }],
      ['dynamodb', 'TransactWriteItems', { TransactItems: [{ ConditionCheck: { TableName: 'wharf' } }] }],
      ['scheduler', 'CreateSchedule', { Name: 'n', Target: { RoleArn: 'arn:aws:iam::111122223333:role/s' } }],
      ['scheduler', 'GetSchedule', { Name: 'n' }],
      ['scheduler', 'DeleteSchedule', { Name: 'n' }],
      ['scheduler', 'ListSchedules', {}],
      ['scheduler', 'GetScheduleGroup', { Name: 'g' }],
    ];
    const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const unknown: string[] = [];
    for (const [service, command, input] of calls) {
      const requests = iamRequestsOf({ service, command, input }, where);
      for (const r of [...requests, ...requests.flatMap((request) => kmsRequestsOf(request, where))]) {
        const result = await runSimulation(
          {
            identityPolicies: [{ name: 'all', policy: allowAll }],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            request: {
              principal: 'arn:aws:iam::111122223333:role/r',
              action: r.action,
              resource: { resource: r.resource, accountId: where.accountId },
              contextVariables: { ...r.context },
            },
          },
          {},
        );
        if (result.resultType === 'error')
          unknown.push(`${r.action} on ${r.resource}: ${JSON.stringify(result.errors)}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

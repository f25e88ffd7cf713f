/**
 * The example app's synthesized template (`cdk synth`, real esbuild bundle) deployed to moto server's
 * CloudFormation, then the queues and table it created put to work.
 *
 * What moto does not create, and where each is covered instead:
 * - AWS::SQS::QueuePolicy (the TLS-only deny): skipped by moto; test/infra/wharf-jobs.test.ts asserts a Deny on
 *   aws:SecureTransport=false for every queue and dead-letter queue, and cdk-nag's AwsSolutions-SQS4 checks it.
 * - AWS::CloudWatch::Alarm: skipped; the alarm tests in test/infra/wharf-jobs.test.ts.
 * - AWS::Scheduler::ScheduleGroup: skipped; the group's name is fixed at synth, so nothing in the template needs
 *   its attributes; test/infra asserts the group and the Scheduler role's trust conditions, and
 *   deployExampleStack() creates the group through the Scheduler API so later tests can schedule into it.
 * - AWS::Scheduler::Schedule (one per recurring task): skipped; test/infra/recurring-schedules.test.ts asserts
 *   each schedule's properties, and test/integration/scheduler-aws.test.ts creates the same schedule (same name,
 *   expression, zone and firing template: toRecurringSchedule) through the runtime API on moto and plays its firings.
 * - Lambda: functions and event source mappings are created, but moto ignores their Architectures and
 *   TracingConfig and cannot run their code without Docker; test/infra asserts arm64, tracing and the bundle, and
 *   deployExampleStack() disables the mappings so tests play them (receive, run the handler in-process).
 * - DynamoDB: moto creates the table and its index but ignores TimeToLiveSpecification and
 *   PointInTimeRecoverySpecification; test/infra asserts both.
 * - IAM: roles and policies are created but moto does not enforce them; test/infra/grants.test.ts asserts every
 *   statement.
 */
import { DescribeTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../../functions/registry';
import { pascalCase } from '../../src/ops/stack-outputs';
import { dynamoClient, sqsClient } from '../helpers/aws';
import {
  type DeployedStack,
  deployExampleStack,
  eventSourceMappings,
  functionConfiguration,
} from '../helpers/deploy-stack';

let deployed: DeployedStack;

beforeAll(async () => {
  deployed = await deployExampleStack();
}, 180_000);

const queueUrl = (queue: string) => deployed.outputs[`QueueUrl${pascalCase(queue)}`]!;
const deadLetterUrl = (queue: string) => deployed.outputs[`DeadLetterQueueUrl${pascalCase(queue)}`]!;

async function attributes(url: string): Promise<Record<string, string>> {
  const { Attributes } = await sqsClient().send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return Attributes ?? {};
}

describe('the example stack on moto CloudFormation', () => {
  it('reaches CREATE_COMPLETE with an output for every queue, dead-letter queue and the table', () => {
    const expected = [
      ...registry.queues.flatMap((q) => [`QueueUrl${pascalCase(q)}`, `DeadLetterQueueUrl${pascalCase(q)}`]),
      'TableName',
    ];
    for (const name of expected) expect(deployed.outputs[name], name).toMatch(/\S/);
  });

  it('creates every resource of the template except the types moto skips', () => {
    const skipped = new Set([
      'AWS::SQS::QueuePolicy',
      'AWS::CloudWatch::Alarm',
      'AWS::Scheduler::ScheduleGroup',
      'AWS::Scheduler::Schedule',
    ]);
    const inTemplate = Object.values(deployed.template.Resources).map((r) => r.Type);
    const expected = countByType(inTemplate.filter((t) => !skipped.has(t)));
    const created = Object.fromEntries(
      Object.entries(deployed.resources).map(([type, ids]) => [type, ids.length]),
    );
    expect(created).toEqual(expected);
    // Every type on the skip list is in the template: the list names what this stack has, nothing stale.
    expect(new Set(inTemplate.filter((t) => skipped.has(t)))).toEqual(skipped);
  });

  it('sends and receives on every queue through the URL in its output', async () => {
    const sqs = sqsClient();
    for (const queue of registry.queues) {
      const body = JSON.stringify({ queue, at: Date.now() });
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: body }));
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl(queue),
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      expect(Messages?.map((m) => m.Body)).toEqual([body]);
      // 1, not 2: the disabled event source mapping did not take a receive first.
      expect(Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl(queue), ReceiptHandle: Messages?.[0]?.ReceiptHandle }),
      );
    }
  });

  it('redrives each queue to its own dead-letter queue after 10 receives, with the configured limits', async () => {
    for (const queue of registry.queues) {
      const source = await attributes(queueUrl(queue));
      const deadLetters = await attributes(deadLetterUrl(queue));
      expect(JSON.parse(source.RedrivePolicy!)).toEqual({
        deadLetterTargetArn: deadLetters.QueueArn,
        maxReceiveCount: 10,
      });
      expect(source).toMatchObject({
        MaximumMessageSize: '1048576',
        MessageRetentionPeriod: '345600',
        SqsManagedSseEnabled: 'true',
      });
      expect(deadLetters).toMatchObject({
        MaximumMessageSize: '1048576',
        MessageRetentionPeriod: '1209600',
        SqsManagedSseEnabled: 'true',
      });
      const longest = Math.max(...registry.jobsOn(queue).map((j) => Math.ceil(j.options.timeoutMs / 1000)));
      expect(Number(source.VisibilityTimeout)).toBe(6 * (longest + 10));
    }
  });

  it('moves a message received 10 times to the dead-letter queue', async () => {
    const sqs = sqsClient();
    const queue = registry.queues[0]!;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(queue), MessageBody: 'poison' }));
    for (let receive = 1; receive <= 10; receive++) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl(queue), VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
      );
      expect(
        Messages?.map((m) => m.Body),
        `receive ${receive}`,
      ).toEqual(['poison']);
    }
    // SQS moves the message on the receive after the limit; this one finds the source queue empty.
    const after = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl(queue), WaitTimeSeconds: 1 }),
    );
    expect(after.Messages ?? []).toEqual([]);
    const dead = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: deadLetterUrl(queue), WaitTimeSeconds: 1 }),
    );
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['poison']);
  });

  it('creates the job table with its key and status index, and stores items', async () => {
    const dynamo = dynamoClient();
    const TableName = deployed.outputs.TableName!;
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema, i.Projection?.ProjectionType]),
    ).toEqual([
      [
        'byStatus',
        [
          { AttributeName: 'statusShard', KeyType: 'HASH' },
          { AttributeName: 'updatedAtMs', KeyType: 'RANGE' },
        ],
        'KEYS_ONLY',
      ],
    ]);
    await dynamo.send(
      new PutItemCommand({
        TableName,
        Item: { pk: { S: 'job#probe' }, statusShard: { S: 'queued#0' }, updatedAtMs: { N: '1' } },
      }),
    );
    const { Item } = await dynamo.send(new GetItemCommand({ TableName, Key: { pk: { S: 'job#probe' } } }));
    expect(Item?.statusShard).toEqual({ S: 'queued#0' });
  });

  it('creates one worker per queue, configured with the URLs and table name the stack output', async () => {
    expect(deployed.workerFunctions).toHaveLength(registry.queues.length);
    const served: string[] = [];
    for (const name of deployed.workerFunctions) {
      const config = await functionConfiguration(name);
      const variables = (config.Environment as { Variables: Record<string, string> }).Variables;
      const queue = variables.WHARF_QUEUE!;
      served.push(queue);
      expect(config).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', MemorySize: 1024 });
      expect(variables.WHARF_TABLE_NAME).toBe(deployed.outputs.TableName);
      for (const q of registry.queues) {
        expect(variables[`WHARF_QUEUE_URL_${q.toUpperCase().replace(/-/g, '_')}`]).toBe(queueUrl(q));
        expect(variables[`WHARF_DLQ_URL_${q.toUpperCase().replace(/-/g, '_')}`]).toBe(deadLetterUrl(q));
      }
      const [mapping, ...others] = await eventSourceMappings(name);
      expect(others).toEqual([]);
      expect(mapping).toMatchObject({
        EventSourceArn: (await attributes(queueUrl(queue))).QueueArn,
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 20 },
        State: 'Disabled',
      });
    }
    expect(served.sort()).toEqual([...registry.queues].sort());
  });
});

function countByType(types: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of types) counts[t] = (counts[t] ?? 0) + 1;
  return counts;
}

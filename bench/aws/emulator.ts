import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startMotoServer } from '../../test/helpers/moto-server';
import { type Actor, instrument, type RequestLog } from './request-log';

/** The moto server this bench run started, and clients for it. */
export interface Emulator {
  readonly endpoint: string;
  /** Clients for setup and read-back: their requests are not part of any figure. */
  readonly setup: { readonly sqs: SQSClient; readonly dynamodb: DynamoDBClient };
  sqs(log: RequestLog, actor: Actor): SQSClient;
  dynamodb(log: RequestLog, actor: Actor): DynamoDBClient;
  scheduler(log: RequestLog, actor: Actor): SchedulerClient;
  stop(): Promise<void>;
}

export interface QueuePair {
  readonly url: string;
  readonly deadLetterUrl: string;
  readonly arn: string;
  readonly deadLetterArn: string;
}

export async function startEmulator(): Promise<Emulator> {
  const moto = await startMotoServer();
  const config = {
    endpoint: moto.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const setup = { sqs: new SQSClient(config), dynamodb: new DynamoDBClient(config) };
  return {
    endpoint: moto.endpoint,
    setup,
    sqs: (log, actor) => instrument(new SQSClient(config), log, actor, 'sqs'),
    dynamodb: (log, actor) => instrument(new DynamoDBClient(config), log, actor, 'dynamodb'),
    scheduler: (log, actor) => instrument(new SchedulerClient(config), log, actor, 'scheduler'),
    stop: async () => {
      setup.sqs.destroy();
      setup.dynamodb.destroy();
      await moto.stop();
    },
  };
}

let sequence = 0;
/** A name no other scenario of this run uses (one moto server serves the whole run). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`;
}

/**
 * A fresh queue and its DLQ per scenario: moto's SQS spends time proportional to the queue's length on every
 * message, so a long-lived queue would slow later scenarios down for reasons that have nothing to do with them.
 */
export async function createQueuePair(emulator: Emulator, prefix: string): Promise<QueuePair> {
  const { sqs } = emulator.setup;
  const name = uniqueName(prefix);
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = await queueArn(sqs, dlq.QueueUrl!);
  const source = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: '120',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  const arn = await queueArn(sqs, source.QueueUrl!);
  return { url: source.QueueUrl!, deadLetterUrl: dlq.QueueUrl!, arn, deadLetterArn: dlqArn };
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return out.Attributes?.QueueArn ?? '';
}

/** The table Powertools idempotency documents: partition key `id`, on demand (TTL on `expiration` in AWS). */
export async function createIdempotencyTable(emulator: Emulator): Promise<string> {
  const { dynamodb } = emulator.setup;
  const tableName = uniqueName('idempotency');
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: tableName });
  return tableName;
}

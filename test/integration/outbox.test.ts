import {
  CreateTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import type { OutboxTransactItem, WharfClient } from '../../src/client/types';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLambdaHandler } from '../../src/lambda/index';
import type { OutboxRelayEvent } from '../../src/outbox/relay';
import { createOutboxRelay, type OutboxRelayHandler } from '../../src/outbox/relay-handler';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import { oneTimeScheduleName } from '../../src/schedule/schedule-names';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import { outboxKey } from '../../src/store/dynamodb/outbox-item';
import { createSqsTransport } from '../../src/transport/sqs/index';
import {
  countRequests,
  dynamoClient,
  RequestCounter,
  schedulerClient,
  sqsClient,
  uniqueName,
} from '../helpers/aws';
import { enableStream, outboxInserts, readStream, streamEvent } from '../helpers/dynamodb-streams';
import { fakeContext, pollOnce } from '../helpers/esm';
import { oneRequestAtATime } from '../helpers/job-store';
import { SCHEDULER_ROLE_ARN } from '../helpers/moto-world';
import { createQueuePair, drainQueue, messagesLeft, type QueuePair } from '../helpers/queues';

/**
 * Enqueue after commit on moto (README "Enqueue after commit"): the caller's own TransactWriteItems carries the
 * outbox entries of `transactItems`; the job table's stream (NEW_IMAGE) holds their INSERTs; the relay sends each
 * to its queue and clears it; a worker runs it.
 *
 * moto records stream records but never invokes a Lambda function from them, so these tests read the stream with
 * the DynamoDB Streams API (DescribeStream, GetShardIterator, GetRecords) and play what it returns through the
 * relay handler in-process, as the event source mapping would, its filter (INSERTs of `outbox#` keys) applied.
 * The relay checks and clears entries with the DynamoDB store's own `outboxPending` and `clearOutbox`.
 */

const runs: string[] = [];
const shipOrder = defineJob({
  name: 'ship-order',
  schema: z.object({ orderId: z.string() }),
  jobId: (p) => p.orderId,
  idempotency: 'exactly-once',
  perform: ({ orderId }) => void runs.push(`ship ${orderId}`),
});
/** Tracked (at-least-once): a second send would be a second run, so only the relay can keep it to one. */
const sendReceipt = defineJob({
  name: 'send-receipt',
  schema: z.object({ orderId: z.string() }),
  idempotency: 'tracked',
  perform: ({ orderId }) => void runs.push(`receipt ${orderId}`),
});
const registry = createRegistry([shipOrder, sendReceipt]);

describe('enqueue after commit (the outbox) on moto', () => {
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let queue: QueuePair;
  let tableName: string;
  let ordersTable: string;
  let streamArn: string;
  let client: WharfClient;
  let relay: OutboxRelayHandler;
  let events: OutboxRelayEvent[];
  let worker: (event: SQSEvent) => Promise<unknown>;
  const relayCounter = new RequestCounter();

  beforeAll(async () => {
    sqs = sqsClient();
    // moto does not isolate concurrent writes to one item as DynamoDB does (see oneRequestAtATime).
    dynamodb = oneRequestAtATime(dynamoClient());
    queue = await createQueuePair(sqs, { prefix: 'wharf-outbox', visibilityTimeoutSeconds: 2 });
    tableName = uniqueName('wharf-outbox');
    await createJobTable(dynamodb, tableName);
    streamArn = await enableStream(dynamodb, tableName);
    ordersTable = uniqueName('orders');
    await dynamodb.send(
      new CreateTableCommand({
        TableName: ordersTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 60 }, { TableName: ordersTable });
    const queues = { default: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } };
    const transport = createSqsTransport({ client: sqs, queues });
    client = createClient({ transport, registry, outboxTable: tableName });
    // The relay's own clients, counted: what relaying costs in requests.
    const relaySqs = countRequests(sqsClient(), relayCounter);
    const relayDynamo = countRequests(dynamoClient(), relayCounter);
    relay = createOutboxRelay({
      transport: createSqsTransport({ client: relaySqs, queues }),
      outbox: createDynamoJobStore({ client: relayDynamo, tableName }),
      onEvent: (e) => events.push(e),
    });
    const handler = createLambdaHandler({
      registry,
      queue: 'default',
      transport,
      store: createDynamoJobStore({ client: dynamodb, tableName }),
      onEvent: () => undefined,
    });
    worker = (event) => handler(event, fakeContext(60_000));
  });
  afterAll(() => {
    sqs.destroy();
    dynamodb.destroy();
  });
  beforeEach(() => {
    runs.length = 0;
    events = [];
    relayCounter.reset();
  });

  /** The caller's transaction: its own order row, only if new, and the outbox entries. */
  const placeOrder = (orderId: string, entries: readonly OutboxTransactItem[]) =>
    dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: ordersTable,
              Item: { pk: { S: `order#${orderId}` }, status: { S: 'placed' } },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...entries,
        ],
      }),
    );
  /** The stream's records the event source mapping would hand the relay for these job ids. */
  const recordsOf = async (...jobIds: string[]): Promise<DynamoDBRecord[]> => {
    const keys = new Set(jobIds.map(outboxKey));
    return outboxInserts(await readStream(streamArn)).filter((r) => keys.has(r.dynamodb!.Keys!.pk!.S!));
  };
  const entryOf = async (jobId: string) =>
    (
      await dynamodb.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: outboxKey(jobId) } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  const deliver = () =>
    pollOnce({ sqs, queueUrl: queue.url, queueArn: queue.arn, handler: worker as never, waitTimeSeconds: 1 });
  const drain = () => drainQueue(sqs, queue.url, deliver);

  it('enqueues a job exactly once when the transaction commits', async () => {
    const entries = await client.transactItems(shipOrder.with({ orderId: 'c1' }));
    await placeOrder('c1', entries);
    // Committed, not yet relayed: the entry is in the table, and nothing is on the queue.
    expect(await entryOf('ship-order:c1')).toMatchObject({ jobId: { S: 'ship-order:c1' } });
    expect(await messagesLeft(sqs, queue.url)).toBe(0);
    const records = await recordsOf('ship-order:c1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ eventName: 'INSERT', dynamodb: { StreamViewType: 'NEW_IMAGE' } });

    expect(await relay(streamEvent(records))).toEqual({ batchItemFailures: [] });
    expect(await entryOf('ship-order:c1')).toBeUndefined();
    expect(events).toEqual([
      expect.objectContaining({ type: 'outbox-sent', jobId: 'ship-order:c1', via: 'queue' }),
    ]);
    await drain();
    expect(runs).toEqual(['ship c1']);
  });

  it('enqueues nothing when the transaction fails: no entry, no stream record, no run', async () => {
    await placeOrder('f1', []);
    const entries = await client.transactItems(sendReceipt.with({ orderId: 'f1' }, { jobId: 'receipt-f1' }));
    // The order row exists already, so its condition fails and the whole transaction is cancelled.
    const error = await placeOrder('f1', entries).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'ConditionalCheckFailed',
      'None',
    ]);
    expect(await entryOf('receipt-f1')).toBeUndefined();
    expect(await recordsOf('receipt-f1')).toEqual([]);
    // Even the whole stream played through the relay sends nothing for it.
    await relay(streamEvent(outboxInserts(await readStream(streamArn))));
    expect(events.filter((e) => e.type === 'outbox-sent' && e.jobId === 'receipt-f1')).toEqual([]);
    await drain();
    expect(runs).toEqual([]);
  });

  it('runs a tracked job once when its stream records are replayed: the entry is gone after the first send', async () => {
    const entries = await client.transactItems(sendReceipt.with({ orderId: 'r1' }, { jobId: 'receipt-r1' }));
    await placeOrder('r1', entries);
    const records = await recordsOf('receipt-r1');
    await relay(streamEvent(records));
    // The mapping hands the batch again (a retry after a later record failed, a crash before the checkpoint).
    expect(await relay(streamEvent(records))).toEqual({ batchItemFailures: [] });
    expect(await relay(streamEvent(records))).toEqual({ batchItemFailures: [] });
    expect(events.map((e) => e.type)).toEqual(['outbox-sent', 'outbox-skipped', 'outbox-skipped']);
    await drain();
    expect(runs).toEqual(['receipt r1']);
  });

  it("refuses, with the caller's transaction, a second entry of a job id whose first is still waiting", async () => {
    const entries = await client.transactItems(shipOrder.with({ orderId: 'd1' }));
    await placeOrder('d1', entries);
    const error = await placeOrder('d1-again', entries).catch((e: unknown) => e);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'None',
      'ConditionalCheckFailed',
    ]);
    await relay(streamEvent(await recordsOf('ship-order:d1')));
    await drain();
    expect(runs).toEqual(['ship d1']);
  });

  it('takes lib-dynamodb\'s TransactWriteCommand with format "document"', async () => {
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const entries = await client.transactItems(shipOrder.with({ orderId: 'l1' }), { format: 'document' });
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: ordersTable,
              Item: { pk: 'order#l1' },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...entries,
        ],
      }),
    );
    await relay(streamEvent(await recordsOf('ship-order:l1')));
    await drain();
    expect(runs).toEqual(['ship l1']);
  });

  it('relays ten entries of one transaction with one GetItem and one DeleteItem each, and one SendMessageBatch', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `b${i}`);
    const entries = await client.transactItems(ids.map((orderId) => shipOrder.with({ orderId })));
    await placeOrder('b', entries);
    relayCounter.reset();
    await relay(streamEvent(await recordsOf(...ids.map((id) => `ship-order:${id}`))));
    expect(Object.fromEntries(relayCounter.counts)).toEqual({
      GetItemCommand: 10,
      SendMessageBatchCommand: 1,
      DeleteItemCommand: 10,
    });
    await drain();
    expect(runs.sort()).toEqual(ids.map((id) => `ship ${id}`).sort());
  });

  it('hands a job due beyond 15 minutes to EventBridge Scheduler when it relays it', async () => {
    const scheduler = schedulerClient();
    const groupName = uniqueName('wharf-outbox');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
    const withScheduler = createOutboxRelay({
      transport: createSqsTransport({
        client: sqs,
        queues: { default: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } },
      }),
      scheduler: createEventBridgeScheduler({
        client: scheduler,
        groupName,
        roleArn: SCHEDULER_ROLE_ARN,
        queues: { default: { arn: queue.arn, deadLetterArn: queue.deadLetterArn } },
      }),
      outbox: createDynamoJobStore({ client: dynamodb, tableName }),
      onEvent: (e) => events.push(e),
    });
    const entries = await client.transactItems(shipOrder.with({ orderId: 's1' }, { delay: '2h' }));
    await placeOrder('s1', entries);
    await withScheduler(streamEvent(await recordsOf('ship-order:s1')));
    expect(events).toEqual([expect.objectContaining({ type: 'outbox-sent', via: 'scheduler' })]);
    const schedule = await scheduler.send(
      new GetScheduleCommand({ GroupName: groupName, Name: oneTimeScheduleName('ship-order:s1', 1) }),
    );
    expect(JSON.parse(schedule.Target!.Input!)).toMatchObject({ id: 'ship-order:s1', job: 'ship-order' });
    expect(await messagesLeft(sqs, queue.url)).toBe(0);
    expect(await entryOf('ship-order:s1')).toBeUndefined();
    scheduler.destroy();
  });
});

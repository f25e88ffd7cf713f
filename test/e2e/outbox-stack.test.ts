import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxTransactItem } from '../../src/client/types';
import { environmentFromOutputs } from '../../src/ops/stack-outputs';
import { type AwsRuntime, createAwsRuntime } from '../../src/runtime/aws-runtime';
import { outboxKey } from '../../src/store/dynamodb/outbox-item';
import { cdkBootstrap, cdkDeploy, cdkDestroy, type Deployed } from './cdk-cli';
import { eventSourceMappings, functionConfiguration, logEvents } from './emulator-api';
import { type Ministack, startMinistack } from './ministack';
import { confirmOrder, outboxRegistry } from './outbox-jobs';

// Enqueue after commit, deployed: the app of test/e2e/outbox-app.ts (WharfJobs with `outbox: true`) deployed by
// the CDK CLI to ministack, whose DynamoDB stream event source mapping really invokes the relay function (Node
// 24, bundled from the package's own entry) with the INSERTs its filter lets through, and whose SQS mapping runs
// the worker. Nothing is played in this process: the test only writes transactions, as an app would, and reads
// the job records and the functions' logs. (Replayed stream records are proven on moto, where the test plays the
// stream itself: test/integration/outbox.test.ts.) The emulator enforces no IAM (the outbox grants are simulated
// in test/infra/outbox.test.ts).

const STACK = 'WharfOutbox';
const APP = 'npx tsx test/e2e/outbox-app.ts';

let ministack: Ministack | undefined;
let deployed: Deployed;
let producer: AwsRuntime;
let dynamodb: DynamoDBClient;
let wharfEnv: Record<string, string>;

const clientConfig = () => ({
  endpoint: ministack!.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const run = () => ({ endpoint: ministack!.endpoint, app: APP });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

/** The stack's functions by their role: the worker (told its queue by WHARF_QUEUE) and the relay. */
async function functions() {
  const cfn = new CloudFormationClient(clientConfig());
  const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: STACK }));
  cfn.destroy();
  const names = (StackResourceSummaries ?? [])
    .filter((r) => r.ResourceType === 'AWS::Lambda::Function')
    .map((r) => r.PhysicalResourceId!);
  const all = await Promise.all(names.map((name) => functionConfiguration(ministack!.endpoint, name)));
  return {
    worker: all.find((f) => f.Environment?.Variables?.WHARF_QUEUE === 'default')!,
    relay: all.find((f) => f.FunctionName === deployed.outputs.RelayFunctionName)!,
  };
}

/** The JSON lines a function logged about one job (`{"wharf":"started","jobId":...}`). */
async function linesAbout(logGroup: string, jobId: string): Promise<{ wharf: string }[]> {
  const events = await logEvents(ministack!.endpoint, logGroup, jobId);
  return events.flatMap((e) => {
    try {
      const line = JSON.parse(e.message) as { wharf?: string; jobId?: string };
      return line.jobId === jobId && line.wharf ? [{ wharf: line.wharf }] : [];
    } catch {
      return [];
    }
  });
}

/** The app's transaction: its order row, only if new, and the outbox entries. */
function placeOrder(orderId: string, entries: readonly OutboxTransactItem[]) {
  return dynamodb.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        {
          Put: {
            TableName: deployed.outputs.OrdersTableName!,
            Item: { pk: { S: `order#${orderId}` } },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...entries,
      ],
    }),
  );
}

const succeeded = async (jobId: string) => {
  const record = await producer.store!.get(jobId, Date.now());
  return record?.status === 'succeeded' ? record : undefined;
};

beforeAll(async () => {
  ministack = await startMinistack();
  await cdkBootstrap(run());
  deployed = await cdkDeploy(run(), STACK);
  wharfEnv = environmentFromOutputs(
    Object.entries(deployed.outputs).map(([OutputKey, OutputValue]) => ({
      OutputKey,
      OutputValue,
      Description: deployed.template.Outputs?.[OutputKey]?.Description,
    })),
  );
  producer = createAwsRuntime({
    registry: outboxRegistry,
    env: {
      ...wharfEnv,
      AWS_ENDPOINT_URL: ministack.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
  });
  dynamodb = new DynamoDBClient(clientConfig());
}, 600_000);

afterAll(async () => {
  try {
    if (ministack && deployed) await cdkDestroy(run(), STACK).catch(() => undefined);
  } finally {
    producer?.clients.close();
    dynamodb?.destroy();
    await ministack?.stop();
  }
}, 300_000);

describe('enqueue after commit, deployed to ministack with a real relay function', () => {
  it("deploys the relay on Node 24, fed by the job table's stream with the outbox filter, partial batch responses and an on-failure queue", async () => {
    const { relay } = await functions();
    expect(relay.Runtime).toBe('nodejs24.x');
    expect(relay.Environment?.Variables?.WHARF_TABLE_NAME).toBe(wharfEnv.WHARF_TABLE_NAME);
    const [mapping, ...others] = await eventSourceMappings(ministack!.endpoint, relay.FunctionName);
    expect(others).toEqual([]);
    expect(mapping).toMatchObject({
      EventSourceArn: expect.stringContaining(`table/${wharfEnv.WHARF_TABLE_NAME}/stream/`),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      State: 'Enabled',
    });
  });

  it('runs a job once when the transaction that put it in the outbox commits, and clears its entry', async () => {
    const entries = await producer.client.transactItems(confirmOrder.with({ orderId: 'e1' }));
    await placeOrder('e1', entries);
    const jobId = 'confirm-order:e1';
    await until(`${jobId} to succeed`, () => succeeded(jobId), 120_000);
    const { worker, relay } = await functions();
    expect((await linesAbout(relay.LoggingConfig!.LogGroup!, jobId)).map((l) => l.wharf)).toEqual([
      'outbox-sent',
    ]);
    expect(
      (await linesAbout(worker.LoggingConfig!.LogGroup!, jobId)).filter((l) => l.wharf === 'started'),
    ).toHaveLength(1);
    const { Item } = await dynamodb.send(
      new GetItemCommand({
        TableName: wharfEnv.WHARF_TABLE_NAME,
        Key: { pk: { S: outboxKey(jobId) } },
        ConsistentRead: true,
      }),
    );
    expect(Item).toBeUndefined();
  });

  it('runs nothing for a transaction that fails, while the one committed after it runs', async () => {
    await placeOrder('f1', []);
    const failed = await producer.client.transactItems(confirmOrder.with({ orderId: 'f1' }));
    const error = await placeOrder('f1', failed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    // A cancelled transaction writes no stream record. Once a transaction committed after it has run, the relay
    // is alive and past that point of the stream: the failed one has no record, and the relay never heard of it.
    const after = await producer.client.transactItems(confirmOrder.with({ orderId: 'f2' }));
    await placeOrder('f2', after);
    await until('confirm-order:f2 to succeed', () => succeeded('confirm-order:f2'), 120_000);
    expect(await producer.store!.get('confirm-order:f1', Date.now())).toBeUndefined();
    const { relay } = await functions();
    expect(await linesAbout(relay.LoggingConfig!.LogGroup!, 'confirm-order:f1')).toEqual([]);
  });
});

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  type Message,
  ReceiveMessageCommand,
  type SendMessageBatchCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import type { JobDefinition } from '../../src/job/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLambdaHandler } from '../../src/lambda/index';
import { createOps } from '../../src/ops/create-ops';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import type { JobStore } from '../../src/store/types';
import { createSqsTransport, type SqsTransport } from '../../src/transport/sqs/index';
import { createSqsQueueAdmin } from '../../src/transport/sqs/sqs-queue-admin';
import { createWorker } from '../../src/worker/worker';
import { dynamoClient, sqsClient, uniqueName } from '../helpers/aws';
import { pollOnce } from '../helpers/esm';
import { queueArn } from '../helpers/queues';

interface FifoPair {
  readonly url: string;
  readonly deadLetterUrl: string;
  readonly arn: string;
}

/**
 * A FIFO queue and its FIFO dead-letter queue, as the construct makes them: no content-based deduplication, so
 * every send must carry its own MessageDeduplicationId (SQS refuses one without).
 */
async function createFifoPair(sqs: SQSClient, maxReceiveCount = 10): Promise<FifoPair> {
  const name = uniqueName('fifo');
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq.fifo`, Attributes: { FifoQueue: 'true' } }),
  );
  const source = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}.fifo`,
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await queueArn(sqs, dlq.QueueUrl!),
          maxReceiveCount,
        }),
      },
    }),
  );
  return { url: source.QueueUrl!, deadLetterUrl: dlq.QueueUrl!, arn: await queueArn(sqs, source.QueueUrl!) };
}

async function receiveRaw(sqs: SQSClient, url: string, visibility = 0): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: visibility,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/** Records what SendMessageBatch and SendMessage requests carried, after the transport built them. */
function recordSends(sqs: SQSClient) {
  const entries: { QueueUrl?: string; MessageGroupId?: string; MessageDeduplicationId?: string }[] = [];
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as SendMessageBatchCommandInput & {
        MessageGroupId?: string;
        MessageDeduplicationId?: string;
      };
      if (context.commandName === 'SendMessageBatchCommand')
        for (const e of input.Entries ?? []) entries.push({ QueueUrl: input.QueueUrl, ...e });
      if (context.commandName === 'SendMessageCommand') entries.push(input);
      return next(args);
    },
    { step: 'initialize', name: 'wharfTestRecordSends' },
  );
  return entries;
}

const bodyOf = (m: { Body?: string; body?: string }) =>
  JSON.parse(m.Body ?? m.body ?? '{}') as {
    id: string;
    attempt: number;
    payload: { orderId: string; step: number };
    deadLetter?: { reason: string; attempts: number };
  };

describe('FIFO queues on moto', () => {
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let queue: FifoPair;
  let transport: SqsTransport;
  let store: JobStore;
  let events: JobEvent[];
  let runs: { orderId: string; step: number; attempt: number }[];
  /** `${orderId}/${step}` -> how many attempts throw. */
  let failing: Map<string, number>;

  const ship = defineJob({
    name: 'ship-step',
    schema: z.object({ orderId: z.string(), step: z.number() }),
    group: (p) => p.orderId,
    jobId: (p) => `${p.orderId}-${p.step}`,
    retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s', jitter: 0 } },
    perform: (p, ctx) => {
      runs.push({ orderId: p.orderId, step: p.step, attempt: ctx.attempt });
      if (ctx.attempt <= (failing.get(`${p.orderId}/${p.step}`) ?? 0))
        throw new Error(`step ${p.step} of ${p.orderId} failed on attempt ${ctx.attempt}`);
    },
  });

  beforeEach(async () => {
    sqs = sqsClient();
    dynamodb = dynamoClient();
    queue = await createFifoPair(sqs);
    transport = createSqsTransport({ client: sqs, queues: { default: queue } });
    const tableName = uniqueName('wharf-fifo');
    await createJobTable(dynamodb, tableName);
    store = createDynamoJobStore({ client: dynamodb, tableName });
    events = [];
    runs = [];
    failing = new Map();
  });
  afterEach(() => {
    sqs.destroy();
    dynamodb.destroy();
  });

  const client = () => createClient({ transport, registry: createRegistry([ship]) });
  const enqueueSteps = async (orders: readonly string[], steps: number) => {
    const requests = [];
    for (let step = 1; step <= steps; step++)
      for (const orderId of orders) requests.push(ship.with({ orderId, step }));
    const result = await client().enqueueMany(requests);
    expect(result.failed).toEqual([]);
  };
  const stepsOf = (orderId: string) => runs.filter((r) => r.orderId === orderId).map((r) => r.step);

  /** The worker process on the queue until `done`, then stopped. */
  async function runWorker(jobs: JobDefinition[], done: () => boolean) {
    const worker = createWorker({
      registry: createRegistry(jobs),
      consumer: transport,
      transport,
      store,
      waitTimeSeconds: 1,
      concurrency: 10,
      onEvent: (e) => events.push(e),
      onWarning: () => undefined,
    });
    const running = worker.run();
    for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
    await worker.stop(5_000);
    await running;
  }

  it('sends each job with its group as MessageGroupId and a deduplication id from its job id', async () => {
    const sent = recordSends(sqs);
    await enqueueSteps(['o1', 'o2'], 1);
    expect(sent.map((e) => [e.MessageGroupId, e.MessageDeduplicationId])).toEqual([
      ['o1', 'q:ship-step:o1-1:1:0:'],
      ['o2', 'q:ship-step:o2-1:1:0:'],
    ]);
    const received = await receiveRaw(sqs, queue.url);
    expect(received.map((m) => [bodyOf(m).payload.orderId, m.Attributes?.MessageGroupId])).toEqual([
      ['o1', 'o1'],
      ['o2', 'o2'],
    ]);
    expect(received.map((m) => m.Attributes?.MessageDeduplicationId)).toEqual([
      'q:ship-step:o1-1:1:0:',
      'q:ship-step:o2-1:1:0:',
    ]);
  });

  it('has SQS drop a second enqueue of the same job within the deduplication window', async () => {
    await client().enqueue(ship.with({ orderId: 'o1', step: 1 }));
    // Accepted (SQS answers a duplicate as sent), and delivered once.
    await client().enqueue(ship.with({ orderId: 'o1', step: 1 }));
    const received = await receiveRaw(sqs, queue.url);
    expect(received.map((m) => bodyOf(m).id)).toEqual(['ship-step:o1-1']);
  });

  it('refuses at enqueue a delay, and a job without a group, saying why', async () => {
    await expect(client().enqueue(ship.with({ orderId: 'o1', step: 1 }, { delay: '5s' }))).rejects.toThrow(
      /no per-message delay/,
    );
    const plain = defineJob({ name: 'plain', schema: z.object({}), perform: () => undefined });
    await expect(createClient({ transport }).enqueue(plain.with({}))).rejects.toThrow(/has no `group`/);
    expect(await receiveRaw(sqs, queue.url)).toEqual([]);
  });

  it('runs each group in order through the worker process while the groups interleave', async () => {
    await enqueueSteps(['o1', 'o2', 'o3'], 4);
    await runWorker([ship], () => runs.length >= 12);
    for (const orderId of ['o1', 'o2', 'o3']) expect(stepsOf(orderId)).toEqual([1, 2, 3, 4]);
    expect(new Set(runs.slice(0, 3).map((r) => r.orderId)).size).toBeGreaterThan(1);
  });

  it('retries in place: the message comes back after its delay with the next attempt, and the group waits for it', async () => {
    failing.set('o1/2', 1);
    await enqueueSteps(['o1', 'o2'], 3);
    const sent = recordSends(sqs);
    await runWorker([ship], () => runs.length >= 7);
    expect(runs.filter((r) => r.orderId === 'o1').map((r) => [r.step, r.attempt])).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
      [3, 1],
    ]);
    expect(stepsOf('o2')).toEqual([1, 2, 3]);
    // No retry message: the failed step's own message came back.
    expect(sent).toEqual([]);
    expect(events.filter((e) => e.type === 'retrying').map((e) => e.jobId)).toEqual(['ship-step:o1-2']);
    expect(await store.get('ship-step:o1-2', Date.now())).toMatchObject({ status: 'succeeded', attempt: 2 });
  });

  it('dead-letters the last attempt to the FIFO DLQ with its reason and group, and the group goes on', async () => {
    failing.set('o1/1', 2);
    await enqueueSteps(['o1'], 2);
    await runWorker([ship], () => runs.length >= 3);
    expect(runs.map((r) => [r.step, r.attempt])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
    ]);
    const [letter, ...more] = await receiveRaw(sqs, queue.deadLetterUrl, 30);
    expect(more).toEqual([]);
    expect(letter?.Attributes?.MessageGroupId).toBe('o1');
    expect(bodyOf(letter!).deadLetter).toMatchObject({ reason: 'retries-exhausted', attempts: 2 });
    expect(letter?.MessageAttributes?.['wharf.dlq.reason']?.StringValue).toBe('retries-exhausted');
  });

  it('redrives a FIFO dead letter to its group with a deduplication id of its own, and it runs again as attempt 1', async () => {
    failing.set('o1/1', 2);
    await enqueueSteps(['o1'], 1);
    await runWorker([ship], () => runs.length >= 2);
    const sends = recordSends(sqs);
    const ops = createOps({
      admin: createSqsQueueAdmin({ client: sqs, queues: { default: queue } }),
      store,
      registry: createRegistry([ship]),
    });
    const report = await ops.retry({ all: true });
    expect(report.succeeded).toHaveLength(1);
    // moto has no message move tasks: the copy path sends to the FIFO source queue, in the job's group, under a
    // deduplication id unlike the first send's (SQS would drop a copy that reused it within 5 minutes).
    const copy = sends.find((e) => e.QueueUrl === queue.url);
    expect(copy).toMatchObject({ MessageGroupId: 'o1', MessageDeduplicationId: expect.any(String) });
    expect(copy?.MessageDeduplicationId).toMatch(/^q:ship-step:o1-1:1:0:\d+$/);
    failing.clear();
    await runWorker([ship], () => runs.length >= 3);
    expect(runs.map((r) => [r.step, r.attempt])).toEqual([
      [1, 1],
      [1, 2],
      [1, 1],
    ]);
    expect(await store.get('ship-step:o1-1', Date.now())).toMatchObject({ status: 'succeeded', attempt: 1 });
  });

  it('runs a FIFO batch through the Lambda handler: a failed record waits in place, the rest of the batch comes back unrun', async () => {
    failing.set('o1/1', 1);
    await enqueueSteps(['o1'], 3);
    const handler = createLambdaHandler({
      registry: createRegistry([ship]),
      queue: 'default',
      transport,
      store,
      onEvent: (e) => events.push(e),
    });
    const target = { sqs, queueUrl: queue.url, queueArn: queue.arn, handler, waitTimeSeconds: 1 };
    const first = await pollOnce(target);
    expect(first.records.map((r) => bodyOf(r).payload.step)).toEqual([1, 2, 3]);
    expect(first.records[0]?.attributes.MessageGroupId).toBe('o1');
    expect(first.response?.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      first.records.map((r) => r.messageId),
    );
    expect(runs).toEqual([{ orderId: 'o1', step: 1, attempt: 1 }]);
    // The group waits behind step 1, made visible again after the 1 s backoff rather than the 30 s timeout.
    const retried: number[][] = [];
    for (let i = 0; i < 30 && runs.length < 4; i++) {
      const next = await pollOnce(target);
      retried.push(next.records.map((r) => bodyOf(r).payload.step));
      if (next.records.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(runs.map((r) => [r.step, r.attempt])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [3, 1],
    ]);
    expect(retried.flat()[0]).toBe(1);
  });
});

describe('tenants on a standard queue on moto (SQS fair queues)', () => {
  it('sends the tenant as MessageGroupId, and it arrives on the received message', async () => {
    const sqs = sqsClient();
    const name = uniqueName('fair');
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
    const transport = createSqsTransport({
      client: sqs,
      queues: { default: { url: QueueUrl!, deadLetterUrl: dlq.QueueUrl! } },
    });
    const sync = defineJob({
      name: 'sync-account',
      schema: z.object({ accountId: z.string() }),
      tenant: (p) => p.accountId,
      perform: () => undefined,
    });
    const sent = recordSends(sqs);
    await createClient({ transport }).enqueueMany([
      sync.with({ accountId: 'acct-1' }),
      sync.with({ accountId: 'acct-2' }),
    ]);
    expect(sent.map((e) => e.MessageGroupId)).toEqual(['acct-1', 'acct-2']);
    // A standard queue takes no deduplication id: it is not sent.
    expect(sent.every((e) => e.MessageDeduplicationId === undefined)).toBe(true);
    const received = await transport.receive('default', {
      maxMessages: 10,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 30,
    });
    expect(received.map((m) => m.groupId).sort()).toEqual(['acct-1', 'acct-2']);
    expect(received.every((m) => m.fifo === undefined)).toBe(true);
    sqs.destroy();
  });
});

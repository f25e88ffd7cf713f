import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SendMessageCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import type { JobDefinition } from '../../src/job/define-job';
import { createRegistry } from '../../src/job/registry';
import {
  createBatchHandler,
  createLambdaHandler,
  type LambdaWorkerOptions,
  runJobs,
} from '../../src/lambda/index';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import type { JobStore } from '../../src/store/types';
import { createSqsTransport, type SqsTransport } from '../../src/transport/sqs/index';
import { dynamoClient, sqsClient, uniqueName } from '../helpers/aws';
import { fakeContext, pollOnce } from '../helpers/esm';

interface Queue {
  readonly url: string;
  readonly deadLetterUrl: string;
  readonly arn: string;
}

async function arnOf(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
}

async function createQueue(sqs: SQSClient, options: { fifo?: boolean } = {}): Promise<Queue> {
  const suffix = options.fifo ? '.fifo' : '';
  const fifoAttributes = options.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'true' } : {};
  const name = uniqueName('lambda');
  const dlq = await sqs.send(
    new CreateQueueCommand({ QueueName: `${name}-dlq${suffix}`, Attributes: fifoAttributes }),
  );
  const source = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${name}${suffix}`,
      Attributes: {
        ...fifoAttributes,
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(sqs, dlq.QueueUrl!),
          maxReceiveCount: 5,
        }),
      },
    }),
  );
  return { url: source.QueueUrl!, deadLetterUrl: dlq.QueueUrl!, arn: await arnOf(sqs, source.QueueUrl!) };
}

/**
 * Fails every SendMessage to `queueUrl` whose body `when` picks, as a throttled or unavailable SQS would (a dead
 * letter is one SendMessage to the DLQ URL).
 */
function failSendsTo(sqs: SQSClient, queueUrl: string, when: (body: string) => boolean): string[] {
  const failed: string[] = [];
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as SendMessageCommandInput;
      if (
        context.commandName === 'SendMessageCommand' &&
        input.QueueUrl === queueUrl &&
        when(input.MessageBody ?? '')
      ) {
        failed.push(input.MessageBody ?? '');
        throw Object.assign(new Error('Service unavailable (injected)'), {
          name: 'ServiceUnavailable',
          $fault: 'server',
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'wharfTestFailDeadLetterWrites' },
  );
  return failed;
}

async function receiveAll(sqs: SQSClient, url: string) {
  const bodies: string[] = [];
  for (let round = 0; round < 10; round++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 30,
        WaitTimeSeconds: round === 0 ? 1 : 0,
      }),
    );
    if (Messages.length === 0) break;
    bodies.push(...Messages.map((m) => m.Body ?? ''));
  }
  return bodies;
}

const payloadOf = (body: string) => JSON.parse(body).payload as { n: number };

describe('createLambdaHandler on moto SQS', () => {
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let queue: Queue;
  let transport: SqsTransport;
  let events: JobEvent[];

  beforeEach(async () => {
    sqs = sqsClient();
    dynamodb = dynamoClient();
    queue = await createQueue(sqs);
    transport = createSqsTransport({ client: sqs, queues: { default: queue } });
    events = [];
  });
  afterEach(() => {
    sqs.destroy();
    dynamodb.destroy();
  });

  const handlerFor = (jobs: JobDefinition[], options: Partial<LambdaWorkerOptions> = {}) =>
    createLambdaHandler({
      registry: createRegistry(jobs),
      queue: 'default',
      transport,
      random: () => 0,
      onEvent: (e) => events.push(e),
      ...options,
    });

  const enqueueNumbers = async (job: JobDefinition, count: number) => {
    const result = await createClient({ transport }).enqueueMany(
      Array.from({ length: count }, (_, n) => job.with({ n })),
    );
    expect(result.failed).toEqual([]);
    return result.enqueued;
  };

  it("runs the user's own middy middleware around the batch", async () => {
    const log: string[] = [];
    const job = defineJob({
      name: 'noted',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: ({ n }) => void log.push(`perform ${n}`),
    });
    const audit: MiddlewareObj<SQSEvent, SQSBatchResponse, Error, Context> = {
      before: (request) => {
        log.push(`before ${request.event.Records.length} records, ${request.context.functionName}`);
      },
      after: (request) => {
        log.push(`after ${request.response?.batchItemFailures.length} failures`);
      },
    };
    const handler = handlerFor([job], { concurrency: 1 }).use(audit);
    await enqueueNumbers(job, 3);
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler,
      waitTimeSeconds: 1,
    });
    expect(invocation.records).toHaveLength(3);
    expect(log[0]).toBe('before 3 records, wharf-test-worker');
    expect(log.slice(1, 4).sort()).toEqual(['perform 0', 'perform 1', 'perform 2']);
    expect(log[4]).toBe('after 0 failures');
    expect(log).toHaveLength(5);
  });

  it("runs the batch as runJobs() in the user's own middy chain, after the middlewares used before it", async () => {
    const log: string[] = [];
    const job = defineJob({
      name: 'chained',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: ({ n }) => void log.push(`perform ${n}`),
    });
    const first: MiddlewareObj<SQSEvent, SQSBatchResponse, Error, Context> = {
      before: (request) => void log.push(`first sees ${request.event.Records.length} records`),
      after: (request) =>
        void log.push(`first after: ${request.response?.batchItemFailures.length} failures`),
    };
    const options: LambdaWorkerOptions = {
      registry: createRegistry([job]),
      queue: 'default',
      transport,
      random: () => 0,
      concurrency: 1,
    };
    // No .handler(): runJobs runs the batch in its `after`, inside the middlewares used before it.
    const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>().use(first).use(runJobs(options));
    await enqueueNumbers(job, 2);
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler,
      waitTimeSeconds: 1,
    });
    expect(invocation.records).toHaveLength(2);
    expect(invocation.response).toEqual({ batchItemFailures: [] });
    expect(log[0]).toBe('first sees 2 records');
    expect(log.slice(1, 3).sort()).toEqual(['perform 0', 'perform 1']);
    expect(log[3]).toBe('first after: 0 failures');
    expect(log).toHaveLength(4);
  });

  it('runs the same batch through the plain handler, without middy', async () => {
    const seen: number[] = [];
    const job = defineJob({
      name: 'plain',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: ({ n }) => void seen.push(n),
    });
    const handler = createBatchHandler({ registry: createRegistry([job]), queue: 'default', transport });
    await enqueueNumbers(job, 3);
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler,
      waitTimeSeconds: 1,
    });
    expect(invocation.response).toEqual({ batchItemFailures: [] });
    expect(seen.sort()).toEqual([0, 1, 2]);
  });

  it('reports exactly the records whose outcome could not be recorded, and lets the others be deleted', async () => {
    const doomed = new Set([2, 5, 7]);
    const job = defineJob({
      name: 'picky',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      retry: { attempts: 1 },
      perform: ({ n }) => {
        if (doomed.has(n)) throw new Error(`record ${n} fails`);
      },
    });
    // Writing the dead letter of a failed record fails: its outcome is not durable, so it must stay on the queue.
    const refused = failSendsTo(sqs, queue.deadLetterUrl, () => true);
    await enqueueNumbers(job, 10);
    const handler = handlerFor([job]);
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 1,
    });
    expect(invocation.records).toHaveLength(10);
    const idOf = new Map(invocation.records.map((r) => [payloadOf(r.body).n, r.messageId]));
    const reported = invocation.response?.batchItemFailures.map((f) => f.itemIdentifier).sort();
    expect(reported).toEqual([...doomed].map((n) => idOf.get(n)).sort());
    expect(invocation.deleted).toBe(7);
    expect(refused.map((body) => payloadOf(body).n).sort()).toEqual([2, 5, 7]);
    expect(events.filter((e) => e.type === 'released').map((e) => e.type === 'released' && e.why)).toEqual([
      'dead-letter write failed',
      'dead-letter write failed',
      'dead-letter write failed',
    ]);

    // Nothing lost: exactly the three records come back once their visibility timeout ends.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const back = await receiveAll(sqs, queue.url);
    expect(back.map((body) => payloadOf(body).n).sort()).toEqual([2, 5, 7]);
  });

  // Issue 12 (S21): poison is acknowledged only once its dead letter is written, like any outcome.
  it('reports a poison record whose dead-letter write fails, and it comes back with its body intact', async () => {
    const job = defineJob({
      name: 'plain',
      schema: z.object({}),
      idempotency: 'off',
      perform: () => undefined,
    });
    const refused = failSendsTo(sqs, queue.deadLetterUrl, () => true);
    await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: [{ Id: '1', MessageBody: 'not json {' }] }),
    );
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler: handlerFor([job]),
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 1,
    });
    expect(invocation.records).toHaveLength(1);
    expect(invocation.response?.batchItemFailures).toEqual([
      { itemIdentifier: invocation.records[0]!.messageId },
    ]);
    expect(invocation.deleted).toBe(0);
    expect(refused).toEqual(['not json {']);
    expect(events.map((e) => e.type === 'released' && e.why)).toEqual(['dead-letter write failed']);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await receiveAll(sqs, queue.url)).toEqual(['not json {']);
  });

  it.each([1, 3])('runs at most %i record(s) of a batch at once', async (concurrency) => {
    let inFlight = 0;
    let maxInFlight = 0;
    const job = defineJob({
      name: 'counted',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: async () => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 150));
        inFlight--;
      },
    });
    await enqueueNumbers(job, 10);
    const handler = handlerFor([job], { concurrency });
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler,
      waitTimeSeconds: 1,
    });
    expect(invocation.records).toHaveLength(10);
    expect(invocation.response).toEqual({ batchItemFailures: [] });
    expect(invocation.deleted).toBe(10);
    expect(maxInFlight).toBe(concurrency);
    expect(events.filter((e) => e.type === 'succeeded')).toHaveLength(10);
  });

  it('runs nothing and releases every record when the invocation has no time left', async () => {
    let runs = 0;
    const job = defineJob({
      name: 'late',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: () => void runs++,
    });
    await enqueueNumbers(job, 10);
    const handler = handlerFor([job]);
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler,
      waitTimeSeconds: 1,
      remainingTimeMs: 0,
    });
    expect(invocation.records).toHaveLength(10);
    expect(runs).toBe(0);
    expect(invocation.response?.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      invocation.records.map((r) => r.messageId).sort(),
    );
    expect(invocation.deleted).toBe(0);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(['released']));
  });

  it('answers an empty event with no failures', async () => {
    const job = defineJob({
      name: 'idle',
      schema: z.object({}),
      idempotency: 'off',
      perform: () => undefined,
    });
    const handler = handlerFor([job]);
    await expect(handler({ Records: [] }, fakeContext(60_000))).resolves.toEqual({ batchItemFailures: [] });
  });

  // Issue 12: events that are not what SQS sends. Before, a record without a body failed on
  // Buffer.byteLength(undefined) and looped until maxReceiveCount; a record without a messageId produced a failure
  // entry Lambda cannot read; a null event threw a TypeError.
  describe('events that are not what SQS sends', () => {
    const idle = () =>
      defineJob({ name: 'idle', schema: z.object({}), idempotency: 'off', perform: () => undefined });
    const record = (fields: Record<string, unknown>) => ({
      messageId: crypto.randomUUID(),
      receiptHandle: 'handle',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      ...fields,
    });

    it.each([
      ['null', null],
      ['a string', 'hello'],
      ['an object without Records', { detail: {} }],
      ['Records that is not a list', { Records: { 0: {} } }],
    ])('throws InvalidEventError for %s, before running anything', async (_what, event) => {
      const handler = handlerFor([idle()]);
      await expect(handler(event as unknown as SQSEvent, fakeContext(60_000))).rejects.toMatchObject({
        name: 'InvalidEventError',
        code: 'WHARF_INVALID_EVENT',
        message: expect.stringMatching(/not an SQS event/),
      });
      expect(events).toEqual([]);
    });

    it('throws InvalidEventError for a record without a messageId: no response could name it', async () => {
      const handler = handlerFor([idle()]);
      const event = { Records: [record({}), record({ messageId: undefined }), null] };
      await expect(handler(event as unknown as SQSEvent, fakeContext(60_000))).rejects.toMatchObject({
        code: 'WHARF_INVALID_EVENT',
        message: expect.stringMatching(/^Record 1 of the event is not an SQS record/),
      });
      expect(events).toEqual([]);
    });

    it('dead-letters a record without a body as malformed-body, with a stand-in body SQS accepts', async () => {
      const handler = handlerFor([idle()]);
      const bodiless = record({ body: undefined });
      const numeric = record({ body: 42 });
      const event = { Records: [bodiless, numeric] } as unknown as SQSEvent;
      await expect(handler(event, fakeContext(60_000))).resolves.toEqual({ batchItemFailures: [] });
      expect(events.map((e) => e.type)).toEqual(['dead', 'dead']);
      const dead = await receiveAll(sqs, queue.deadLetterUrl);
      expect(dead).toHaveLength(2);
      for (const body of dead) {
        expect(JSON.parse(body).wharfRawBody).toMatchObject({ note: 'the record had no body', bytes: 0 });
      }
    });
  });
});

describe('createLambdaHandler on a moto FIFO queue', () => {
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  afterEach(() => {
    sqs?.destroy();
    dynamodb?.destroy();
  });

  it('runs a FIFO batch in order and stops at the first released record, reporting it and every later one', async () => {
    sqs = sqsClient();
    dynamodb = dynamoClient();
    const queue = await createQueue(sqs, { fifo: true });
    const tableName = uniqueName('wharf-fifo');
    await createJobTable(dynamodb, tableName);
    const store = createDynamoJobStore({ client: dynamodb, tableName });
    // The job store is down for the third job only: its claim fails, so that record is released.
    const flaky: JobStore = {
      ...store,
      claim: (input) =>
        input.jobId === 'fifo-2'
          ? Promise.reject(
              Object.assign(new Error('Service unavailable (injected)'), { name: 'ServiceUnavailable' }),
            )
          : store.claim(input),
    };
    const order: number[] = [];
    const job = defineJob({
      name: 'ordered',
      schema: z.object({ n: z.number() }),
      idempotency: 'exactly-once',
      perform: ({ n }) => void order.push(n),
    });
    const now = Date.now();
    // Sent by hand, as another producer would put them (without a group in the body, and one id per message).
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: Array.from({ length: 5 }, (_, n) => ({
          Id: String(n),
          MessageGroupId: 'orders-42',
          MessageBody: JSON.stringify({
            v: 1,
            id: `fifo-${n}`,
            job: 'ordered',
            payload: { n },
            attempt: 1,
            createdAtMs: now,
            enqueuedAtMs: now,
          }),
        })),
      }),
    );
    const events: JobEvent[] = [];
    const handler = createLambdaHandler({
      registry: createRegistry([job]),
      queue: 'default',
      transport: createSqsTransport({ client: sqs, queues: { default: queue } }),
      store: flaky,
      concurrency: 10,
      onEvent: (e) => events.push(e),
    });
    const invocation = await pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler,
      waitTimeSeconds: 1,
    });
    expect(invocation.records.map((r) => payloadOf(r.body).n)).toEqual([0, 1, 2, 3, 4]);
    expect(queue.arn.endsWith('.fifo')).toBe(true);
    expect(order).toEqual([0, 1]);
    expect(invocation.response?.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      invocation.records.slice(2).map((r) => r.messageId),
    );
    expect(invocation.deleted).toBe(2);
    expect(events.map((e) => `${e.type}:${e.jobId}`)).toEqual([
      'started:fifo-0',
      'succeeded:fifo-0',
      'started:fifo-1',
      'succeeded:fifo-1',
      'released:fifo-2',
    ]);
    expect(await store.get('fifo-3', Date.now())).toBeUndefined();
  });
});

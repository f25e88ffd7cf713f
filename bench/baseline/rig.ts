import { randomUUID } from 'node:crypto';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createIdempotencyTable, createQueuePair, type Emulator, type QueuePair } from '../aws/emulator';
import { RequestLog } from '../aws/request-log';
import type { Producer, Rig } from '../scenario';
import { type BaselineBody, createBaselineHandler } from './handler';

/** `plain`: Powertools batch alone. `idempotent`: each record through Powertools idempotency on DynamoDB. */
export type BaselineVariant = 'plain' | 'idempotent';

export async function baselineRig(emulator: Emulator, variant: BaselineVariant): Promise<Rig> {
  const log = new RequestLog();
  const queue = await createQueuePair(emulator, `baseline-${variant}`);
  const tableName = variant === 'idempotent' ? await createIdempotencyTable(emulator) : undefined;
  const persistence = tableName
    ? new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: emulator.dynamodb(log, 'worker') })
    : undefined;
  const handler = createBaselineHandler({ persistence });
  const producer = emulator.sqs(log, 'producer');
  return {
    label: `baseline ${variant}`,
    queue,
    tables: tableName ? [tableName] : [],
    log,
    handler,
    esmSqs: emulator.sqs(log, 'esm'),
    enqueue: (count, how) => sendJobs(producer, queue, count, how),
  };
}

let next = 0;

export function baselineBody(): string {
  const body: BaselineBody = { id: randomUUID(), payload: { i: next++ } };
  return JSON.stringify(body);
}

/**
 * The baseline producer is one SendMessage per job. `bulk` is a hand-rolled SendMessageBatch of 10, kept to load
 * the worker-time runs quickly and to show what a user who writes batching by hand would pay.
 */
async function sendJobs(sqs: SQSClient, queue: QueuePair, count: number, producer: Producer): Promise<void> {
  const bodies = Array.from({ length: count }, baselineBody);
  if (producer === 'one-by-one') {
    for (const body of bodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    return;
  }
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, k) => ({ Id: String(k), MessageBody: body }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
    if ((out.Failed ?? []).length > 0)
      throw new Error(`SendMessageBatch refused ${out.Failed?.length} entries`);
  }
}

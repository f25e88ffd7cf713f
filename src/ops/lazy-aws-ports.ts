import type { QueueUrls } from '../config/env-config.js';
import { loadOnce } from '../runtime/load-once.js';
import type { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import type { DynamoDBClient } from '../store/dynamodb/dynamodb-api.js';
import type { JobStore } from '../store/types.js';
import type { QueueAdmin } from '../transport/admin-types.js';
import type { SQSClient } from '../transport/sqs/sqs-api.js';

/**
 * The AWS ports of ops, each loaded with its SDK client when first used. `wharf-jobs/ops` also serves local ops
 * (the embedded engine), and `wharf --help` or `wharf --local` never talk to AWS: importing the entry, or
 * building AWS ops that are never called, loads no AWS SDK client. The client of each service is built once.
 */
export interface LazyClients {
  readonly sqs: () => Promise<SQSClient>;
  readonly dynamodb: () => Promise<DynamoDBClient>;
  readonly scheduler: () => Promise<SchedulerClient>;
  /** Closes the clients that were built (none, when nothing was called). */
  close(): void;
}

type SqsConfig = NonNullable<ConstructorParameters<typeof SQSClient>[0]>;
type CommonConfig = NonNullable<ConstructorParameters<typeof DynamoDBClient>[0]> &
  NonNullable<ConstructorParameters<typeof SchedulerClient>[0]>;

export function lazyClients(sqsConfig: SqsConfig, common: CommonConfig): LazyClients {
  const built: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(client: T): T => {
    built.push(client);
    return client;
  };
  return {
    sqs: loadOnce(async () => keep(new (await import('../transport/sqs/sqs-api.js')).SQSClient(sqsConfig))),
    dynamodb: loadOnce(async () =>
      keep(new (await import('../store/dynamodb/dynamodb-api.js')).DynamoDBClient(common)),
    ),
    scheduler: loadOnce(async () =>
      keep(new (await import('../schedule/eventbridge/scheduler-api.js')).SchedulerClient(common)),
    ),
    close: () => {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}

export function lazyQueueAdmin(
  clients: LazyClients,
  queues: Readonly<Record<string, QueueUrls>>,
): QueueAdmin {
  const load = loadOnce(async () => {
    const { createSqsQueueAdmin } = await import('../transport/sqs/sqs-queue-admin.js');
    return createSqsQueueAdmin({ client: await clients.sqs(), queues });
  });
  return {
    queues: Object.keys(queues),
    stats: async (queue) => (await load()).stats(queue),
    holdDeadLetters: async (queue, hold) => (await load()).holdDeadLetters(queue, hold),
    releaseDeadLetters: async (queue, handles) => (await load()).releaseDeadLetters(queue, handles),
    deleteDeadLetters: async (queue, handles) => (await load()).deleteDeadLetters(queue, handles),
    sendToQueue: async (queue, messages) => (await load()).sendToQueue(queue, messages),
    // SQS always has move tasks; whether the endpoint does (moto has none) is learnt by calling them.
    moveTasks: {
      start: async (queue, options) => (await moveTasks(load)).start(queue, options),
      list: async (queue) => (await moveTasks(load)).list(queue),
    },
  };
}

async function moveTasks(load: () => Promise<QueueAdmin>) {
  const admin = await load();
  if (!admin.moveTasks) throw new Error('the SQS queue admin has no move tasks');
  return admin.moveTasks;
}

export function lazyJobStore(clients: LazyClients, tableName: string): JobStore {
  const load = loadOnce(async () => {
    const { createDynamoJobStore } = await import('../store/dynamodb/dynamodb-store.js');
    return createDynamoJobStore({ client: await clients.dynamodb(), tableName });
  });
  return {
    claim: async (input) => (await load()).claim(input),
    succeed: async (input) => (await load()).succeed(input),
    fail: async (input) => (await load()).fail(input),
    release: async (ref) => (await load()).release(ref),
    extendLease: async (ref) => (await load()).extendLease(ref),
    progress: async (jobId, progress, nowMs) => (await load()).progress(jobId, progress, nowMs),
    get: async (jobId, nowMs) => (await load()).get(jobId, nowMs),
    list: async (query, nowMs) => (await load()).list(query, nowMs),
  };
}

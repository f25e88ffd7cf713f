import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import {
  type Clock,
  createClient,
  createRegistry,
  type JobDefinition,
  type JobEvent,
  systemClock,
} from 'wharf-jobs';
import type { JobStore } from 'wharf-jobs/adapters';
import type { Enqueuer } from '../../src/client/types';
import { createLambdaHandler } from '../../src/lambda/index';
import { createLocalEngine, createManualClock } from '../../src/local/index';
import { createOps, type OpsOptions } from '../../src/ops/create-ops';
import type { Ops } from '../../src/ops/types';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import type { QueueAdmin } from '../../src/transport/admin-types';
import { createMemoryQueueAdmin } from '../../src/transport/memory/memory-queue-admin';
import { createSqsTransport } from '../../src/transport/sqs/index';
import { createSqsQueueAdmin } from '../../src/transport/sqs/sqs-queue-admin';
import { dynamoClient, sqsClient, uniqueName } from './aws';
import { pollOnce } from './esm';
import { oneRequestAtATime } from './job-store';
import { createQueuePair, drainQueue } from './queues';

/** Faults a test can switch on in the QueueAdmin that ops uses. */
export interface AdminFaults {
  /** Receive at most this many dead letters at a time (to interrupt a redrive between batches). */
  batchSize?: number;
  /** The deleteDeadLetters call (1-based, counted from when it is set) that throws, as a crash would stop it. */
  throwOnDeleteCall?: number;
  /** Copies sent back to the queue that are refused, one per entry, after this many went through. */
  refuseCopiesAfter?: number;
}

/** One queue with its DLQ, a job store, the engine behind a real adapter, and ops over the same queues. */
export interface OpsWorld {
  readonly queue: string;
  readonly client: Enqueuer;
  readonly store: JobStore;
  /** The clock the world's engine runs on: read records at its time, not the wall clock's. */
  readonly clock: Clock;
  readonly events: JobEvent[];
  readonly faults: AdminFaults;
  /** Ops with the app's registry; `overrides` builds a variant (without a registry, another redrive method). */
  ops(overrides?: Partial<OpsOptions>): Ops;
  /** Runs the engine until the queue is empty. */
  drain(): Promise<void>;
  /** Puts a raw body on the queue, bypassing the client (poison input). */
  sendRaw(body: string): Promise<void>;
  /**
   * Puts a body on the queue and receives it without ever settling it, until the queue's redrive policy
   * (maxReceiveCount 5) moves it to the DLQ: what a worker that crashes on every delivery leaves behind.
   */
  crash(body: string): Promise<void>;
  /** The WHARF_* variables a process outside the test needs to reach these queues and table (AWS path only). */
  readonly env?: Readonly<Record<string, string>>;
  teardown(): Promise<void>;
}

export interface OpsWorldFactory {
  readonly name: string;
  create(jobs: readonly JobDefinition[]): Promise<OpsWorld>;
}

export const embeddedWorld: OpsWorldFactory = {
  name: 'embedded engine',
  async create(jobs) {
    const registry = createRegistry(jobs);
    const queue = registry.queues[0]!;
    const clock = createManualClock(Date.UTC(2026, 10, 25, 12));
    const events: JobEvent[] = [];
    const engine = createLocalEngine({
      registry,
      clock,
      random: () => 0,
      onEvent: (e) => events.push(e),
    });
    const faults: AdminFaults = {};
    const admin = withFaults(createMemoryQueueAdmin({ transport: engine.transport, clock }), faults);
    const base = { admin, store: engine.store, registry, enqueuer: engine.client, clock };
    return {
      queue,
      client: engine.client,
      store: engine.store,
      clock,
      events,
      faults,
      ops: (overrides = {}) => createOps({ ...base, ...overrides }),
      drain: async () => void (await engine.runUntilIdle({ maxMessages: 10_000 })),
      sendRaw: async (body) => {
        await engine.transport.send(queue, [{ body, attributes: {}, delaySeconds: 0 }]);
      },
      crash: async (body) => {
        await engine.transport.send(queue, [{ body, attributes: {}, delaySeconds: 0 }]);
        const receive = { maxMessages: 10, waitTimeSeconds: 0, visibilityTimeoutSeconds: 0 };
        for (let i = 0; i <= 5; i++) await engine.transport.receive(queue, receive);
      },
      teardown: async () => engine.close(),
    };
  },
};

export const motoWorld: OpsWorldFactory = {
  name: 'moto server (SQS + DynamoDB + Lambda handler)',
  async create(jobs) {
    const registry = createRegistry(jobs);
    const queue = registry.queues[0]!;
    const sqs = sqsClient();
    const dynamodb = oneRequestAtATime(dynamoClient());
    const urls = await createQueuePair(sqs, { prefix: 'wharf-ops' });
    const tableName = uniqueName('wharf-ops');
    await createJobTable(dynamodb, tableName);
    const queues = { [queue]: { url: urls.url, deadLetterUrl: urls.deadLetterUrl } };
    const transport = createSqsTransport({ client: sqs, queues });
    const store = createDynamoJobStore({ client: dynamodb, tableName });
    const events: JobEvent[] = [];
    const handler = createLambdaHandler({
      registry,
      queue,
      transport,
      store,
      random: () => 0,
      onEvent: (e) => events.push(e),
    });
    const faults: AdminFaults = {};
    // Short DLQ long polls keep the tests quick; a listing still sees every message of these small queues.
    const admin = withFaults(createSqsQueueAdmin({ client: sqs, queues, receiveWaitSeconds: 0 }), faults);
    const client = createClient({ transport });
    const base = { admin, store, registry, enqueuer: client, moveTaskPollMs: 50 };
    const target = {
      sqs,
      queueUrl: urls.url,
      queueArn: urls.arn,
      handler: (e: SQSEvent, c: Context) => handler(e, c),
    };
    const suffix = queue.toUpperCase().replace(/-/g, '_');
    const env = {
      [`WHARF_QUEUE_URL_${suffix}`]: urls.url,
      [`WHARF_DLQ_URL_${suffix}`]: urls.deadLetterUrl,
      [`WHARF_QUEUE_ARN_${suffix}`]: urls.arn,
      [`WHARF_DLQ_ARN_${suffix}`]: urls.deadLetterArn,
      WHARF_TABLE_NAME: tableName,
    };
    return {
      queue,
      client,
      store,
      clock: systemClock,
      events,
      faults,
      env,
      ops: (overrides = {}) => createOps({ ...base, ...overrides }),
      // One message per invocation: two copies of one job in the same batch would run concurrently, and the
      // second would be put off until the first one's lease ends (40 s of real time here).
      drain: () => drainQueue(sqs, urls.url, () => pollOnce({ ...target, waitTimeSeconds: 0, batchSize: 1 })),
      sendRaw: async (body) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: urls.url, MessageBody: body }));
      },
      crash: async (body) => {
        await sqs.send(new SendMessageCommand({ QueueUrl: urls.url, MessageBody: body }));
        const receive = { QueueUrl: urls.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 };
        for (let i = 0; i <= 5; i++) await sqs.send(new ReceiveMessageCommand(receive));
      },
      teardown: async () => {
        sqs.destroy();
        dynamodb.destroy();
      },
    };
  },
};

/** Wraps a QueueAdmin so that tests can cut a redrive short or refuse copies. */
export function withFaults(admin: QueueAdmin, faults: AdminFaults): QueueAdmin {
  let deleteCalls = 0;
  let copies = 0;
  return {
    ...admin,
    holdDeadLetters: (queue, hold) =>
      admin.holdDeadLetters(queue, { ...hold, max: faults.batchSize ?? hold.max }),
    deleteDeadLetters: async (queue, handles) => {
      deleteCalls++;
      if (faults.throwOnDeleteCall !== undefined && deleteCalls >= faults.throwOnDeleteCall) {
        faults.throwOnDeleteCall = undefined;
        deleteCalls = 0;
        throw new Error('process killed before deleting the dead letters it had copied (injected)');
      }
      return admin.deleteDeadLetters(queue, handles);
    },
    sendToQueue: async (queue, messages) => {
      const limit = faults.refuseCopiesAfter;
      if (limit === undefined) return admin.sendToQueue(queue, messages);
      const allowed = messages.slice(0, Math.max(0, limit - copies));
      copies += allowed.length;
      const sent = await admin.sendToQueue(queue, allowed);
      const refused = messages.slice(allowed.length).map(() => ({
        ok: false as const,
        code: 'InternalError',
        message: 'refused (injected)',
        permanent: false,
      }));
      return [...sent, ...refused];
    },
  };
}

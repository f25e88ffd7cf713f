import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { createClient } from '../../src/client/client';
import type { WharfClient } from '../../src/client/types';
import type { Clock } from '../../src/clock';
import type { JobEvent } from '../../src/engine/events';
import type { JobDefinition } from '../../src/job/define-job';
import type { Duration } from '../../src/job/duration';
import { createRegistry } from '../../src/job/registry';
import { createLambdaHandler } from '../../src/lambda/index';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import type { JobStore } from '../../src/store/types';
import { createSqsTransport } from '../../src/transport/sqs/index';
import { dynamoClient, schedulerClient, sqsClient, uniqueName } from './aws';
import { type EsmInvocation, fakeContext, pollOnce } from './esm';
import { receiveAll } from './harness/moto';
import type { DeadLetterView } from './harness/types';
import { oneRequestAtATime } from './job-store';
import { createQueuePair, drainQueue, messagesLeft, type QueuePair } from './queues';

export const SCHEDULER_ROLE_ARN = 'arn:aws:iam::123456789012:role/wharf-scheduler';

export interface MotoWorldOptions {
  /** @default '10s' as in production */
  readonly leaseMargin?: Duration;
  /** How soon a released message comes back. @default 2 */
  readonly visibilityTimeoutSeconds?: number;
  /** The engine's and the producer's clock. @default the system clock */
  readonly clock?: Clock;
  /** Give the producer an EventBridge Scheduler (a schedule group on moto) for jobs due beyond 15 minutes. */
  readonly scheduler?: boolean;
}

export interface DeliverOptions {
  /** @default 1: two copies of one job in a batch would run concurrently */
  readonly batchSize?: number;
  /** What `context.getRemainingTimeInMillis()` returns, exactly, on every call. @default 60 000 */
  readonly remainingTimeMs?: number;
}

/**
 * The AWS path on moto with every SDK client in reach, for fault injection: the producer (its own SQS client and,
 * optionally, Scheduler client, as a separate service would have), and the worker (the middy Lambda handler on
 * its own SQS client, with the job state in DynamoDB), fed by the simulated event source mapping.
 */
export interface MotoWorld {
  /** The producer's SQS client: the one `client` sends with. */
  readonly producerSqs: SQSClient;
  /** The producer's Scheduler client, with `scheduler: true`. */
  readonly producerScheduler?: SchedulerClient;
  readonly groupName?: string;
  /** The worker's SQS client: receives, retries, dead letters. */
  readonly sqs: SQSClient;
  /** The worker's DynamoDB client: every job-state write of the engine goes through it. */
  readonly dynamodb: DynamoDBClient;
  readonly queue: QueuePair;
  readonly client: WharfClient;
  /** The worker's store (reads in assertions go through it too). */
  readonly store: JobStore;
  readonly events: JobEvent[];
  /** One invocation of the worker on what the queue holds now. */
  deliver(options?: DeliverOptions): Promise<EsmInvocation>;
  /** Invocations until the queue is empty, one message at a time. */
  drain(timeoutMs?: number): Promise<void>;
  /** Messages on the queue: visible, in flight and delayed. */
  messagesLeft(): Promise<number>;
  deadLetters(): Promise<DeadLetterView[]>;
  teardown(): void;
}

export async function createMotoWorld(
  jobs: readonly JobDefinition[],
  options: MotoWorldOptions = {},
): Promise<MotoWorld> {
  const registry = createRegistry(jobs);
  const queueName = registry.queues[0] ?? 'default';
  const producerSqs = sqsClient();
  const sqs = sqsClient();
  // moto does not isolate concurrent writes to one item as DynamoDB does; see oneRequestAtATime.
  const dynamodb = oneRequestAtATime(dynamoClient());
  const queue = await createQueuePair(sqs, {
    prefix: 'wharf-fault',
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 2,
  });
  const tableName = uniqueName('wharf-fault');
  await createJobTable(dynamodb, tableName);
  const queues = { [queueName]: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } };
  const store = createDynamoJobStore({ client: dynamodb, tableName });
  const events: JobEvent[] = [];
  const handler = createLambdaHandler({
    registry,
    queue: queueName,
    transport: createSqsTransport({ client: sqs, queues }),
    store,
    random: () => 0,
    leaseMargin: options.leaseMargin ?? '10s',
    onEvent: (e) => events.push(e),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const producer = await producerOf(options, producerSqs, queues, queueName, queue, registry);
  const deliver = (deliverOptions: DeliverOptions = {}) => {
    const remaining = deliverOptions.remainingTimeMs ?? 60_000;
    const context: Context = { ...fakeContext(remaining), getRemainingTimeInMillis: () => remaining };
    return pollOnce({
      sqs,
      queueUrl: queue.url,
      queueArn: queue.arn,
      handler: (event: SQSEvent) => handler(event, context),
      batchSize: deliverOptions.batchSize ?? 1,
      waitTimeSeconds: 1,
    });
  };
  return {
    producerSqs,
    ...(producer.scheduler ? { producerScheduler: producer.scheduler, groupName: producer.groupName } : {}),
    sqs,
    dynamodb,
    queue,
    client: producer.client,
    store,
    events,
    deliver,
    drain: (timeoutMs = 25_000) => drainQueue(sqs, queue.url, () => deliver(), timeoutMs),
    messagesLeft: () => messagesLeft(sqs, queue.url),
    deadLetters: () => receiveAll(sqs, queue.deadLetterUrl),
    teardown: () => {
      producerSqs.destroy();
      producer.scheduler?.destroy();
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

async function producerOf(
  options: MotoWorldOptions,
  sqs: SQSClient,
  queues: Parameters<typeof createSqsTransport>[0]['queues'],
  queueName: string,
  queue: QueuePair,
  registry: ReturnType<typeof createRegistry>,
) {
  const transport = createSqsTransport({ client: sqs, queues });
  const clock = options.clock ? { clock: options.clock } : {};
  if (!options.scheduler) return { client: createClient({ transport, registry, ...clock }) };
  const scheduler = schedulerClient();
  const groupName = uniqueName('wharf-fault');
  await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
  const jobScheduler = createEventBridgeScheduler({
    client: scheduler,
    groupName,
    roleArn: SCHEDULER_ROLE_ARN,
    queues: { [queueName]: { arn: queue.arn, deadLetterArn: queue.deadLetterArn } },
    ...clock,
  });
  return {
    client: createClient({ transport, registry, scheduler: jobScheduler, ...clock }),
    scheduler,
    groupName,
  };
}

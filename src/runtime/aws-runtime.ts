import { createClient } from '../client/client.js';
import { setDefaultEnqueuer } from '../client/default-enqueuer.js';
import type { WharfClient } from '../client/types.js';
import { type Clock, systemClock } from '../clock.js';
import { configFromEnv, type WharfConfig } from '../config/env-config.js';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import { createEventBridgeScheduler } from '../schedule/eventbridge/eventbridge-scheduler.js';
import { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import type { JobScheduler } from '../schedule/types.js';
import { DynamoDBClient } from '../store/dynamodb/dynamodb-api.js';
import { createDynamoJobStore } from '../store/dynamodb/dynamodb-store.js';
import type { JobStore } from '../store/types.js';
import { createSqsTransport, type SqsTransport } from '../transport/sqs/index.js';
import { SQSClient } from '../transport/sqs/sqs-api.js';

export interface AwsRuntimeOptions {
  readonly registry: JobRegistry;
  /** Where WHARF_* variables are read from (the edge: nowhere else reads the environment). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * SDK clients, when the caller wants its own settings. By default they are built with the standard credential
   * chain, region and endpoint variables (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SQS, ...), which is also
   * how LocalStack and moto are reached.
   */
  readonly sqs?: SQSClient;
  readonly dynamodb?: DynamoDBClient;
  readonly scheduler?: SchedulerClient;
  readonly clock?: Clock;
  /** Makes `job.performLater` use this runtime's client. @default true */
  readonly installAsDefault?: boolean;
}

export interface AwsRuntime {
  readonly config: WharfConfig;
  readonly transport: SqsTransport;
  /** Present when the table is configured (WHARF_TABLE_NAME). */
  readonly store?: JobStore;
  /**
   * Present when the schedule group is configured (WHARF_SCHEDULE_GROUP): jobs due beyond 15 minutes and
   * retries with long backoffs wait in EventBridge Scheduler instead of hopping through SQS.
   */
  readonly scheduler?: JobScheduler;
  readonly client: WharfClient;
}

/**
 * Everything a producer or worker needs on AWS, built once per module from the environment the CDK construct
 * sets. Producers in other services call it with their registry (see README "Producers").
 */
export function createAwsRuntime(options: AwsRuntimeOptions): AwsRuntime {
  const env = options.env ?? process.env;
  const config = configFromEnv(options.registry.queues, env);
  const clock = options.clock ?? systemClock;
  const transport = createSqsTransport({
    client: options.sqs ?? defaultSqsClient(env),
    queues: config.queues,
    clock,
  });
  const store = config.tableName
    ? createDynamoJobStore({
        client: options.dynamodb ?? new DynamoDBClient({}),
        tableName: config.tableName,
      })
    : undefined;
  const needsStore = options.registry.jobs.some((job) => job.options.idempotency !== 'off');
  if (!store && needsStore && config.workerQueue) {
    throw new ConfigError(
      'WHARF_TABLE_NAME is not set, but jobs on this worker record their state: set it (the CDK construct does).',
    );
  }
  const scheduler = config.scheduler
    ? createEventBridgeScheduler({
        ...config.scheduler,
        client: options.scheduler ?? new SchedulerClient({}),
        clock,
      })
    : undefined;
  const client = createClient({ transport, clock, scheduler, registry: options.registry });
  if (options.installAsDefault !== false) setDefaultEnqueuer(client);
  return { config, transport, ...(store ? { store } : {}), ...(scheduler ? { scheduler } : {}), client };
}

/**
 * The SQS client sends each request to its queue URL's host by default. When an endpoint is configured
 * (LocalStack, moto), that endpoint wins: emulators can hand out amazonaws.com-looking queue URLs (moto's
 * CloudFormation does), and the user asked for their endpoint.
 */
function defaultSqsClient(env: NodeJS.ProcessEnv): SQSClient {
  const endpointConfigured = Boolean(
    env.AWS_ENDPOINT_URL_SQS ??
      env.AWS_ENDPOINT_URL ??
      process.env.AWS_ENDPOINT_URL_SQS ??
      process.env.AWS_ENDPOINT_URL,
  );
  return new SQSClient({ useQueueUrlAsEndpoint: !endpointConfigured });
}

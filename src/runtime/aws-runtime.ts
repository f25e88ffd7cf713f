import { createClient } from '../client/client.js';
import { setDefaultEnqueuer } from '../client/default-enqueuer.js';
import type { WharfClient } from '../client/types.js';
import { type Clock, systemClock } from '../clock.js';
import { configFromEnv, type WharfConfig } from '../config/env-config.js';
import { resolveRegion } from '../config/region.js';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import type { JobScheduler } from '../schedule/types.js';
import { DynamoDBClient } from '../store/dynamodb/dynamodb-api.js';
import { createDynamoJobStore } from '../store/dynamodb/dynamodb-store.js';
import type { JobStore } from '../store/types.js';
import type { SQSClient } from '../transport/sqs/sqs-api.js';
import type { SqsTransport } from '../transport/sqs/sqs-transport.js';
import { createLazyScheduler } from './lazy-scheduler.js';
import { createLazySqsTransport } from './lazy-sqs-transport.js';

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
  /**
   * The region of the clients wharf builds. Without it, AWS_REGION or AWS_DEFAULT_REGION, then a profile's region
   * in the shared config file; with none of them createAwsRuntime throws ConfigError (WHARF_CONFIG) at once.
   * @default AWS_REGION
   */
  readonly region?: string;
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
 * sets. Producers in other services call it with their registry (README "AWS, LocalStack, moto").
 */
export function createAwsRuntime(options: AwsRuntimeOptions): AwsRuntime {
  const env = options.env ?? process.env;
  const config = configFromEnv(options.registry.queues, env);
  const clock = options.clock ?? systemClock;
  // Checked before any client is built, and only when wharf builds one (a caller's own clients carry their
  // own region): said here rather than by a first request that fails, or is retried, as a network error.
  const buildsClient =
    !options.sqs || (config.tableName && !options.dynamodb) || (config.scheduler && !options.scheduler);
  const region = buildsClient ? resolveRegion(options.region, env) : options.region;
  const clientConfig = region === undefined ? {} : { region };
  // Only DynamoDB is on a job's happy path (claim, run, record success); SQS and Scheduler load on first need.
  const transport = createLazySqsTransport({
    ...(options.sqs ? { client: options.sqs } : {}),
    clientConfig: { ...clientConfig, useQueueUrlAsEndpoint: !endpointConfigured(env) },
    queues: config.queues,
    clock,
  });
  const store = config.tableName
    ? createDynamoJobStore({
        client: options.dynamodb ?? new DynamoDBClient(clientConfig),
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
    ? createLazyScheduler({
        ...config.scheduler,
        ...(options.scheduler ? { client: options.scheduler } : {}),
        clientConfig,
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
function endpointConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(
    env.AWS_ENDPOINT_URL_SQS ??
      env.AWS_ENDPOINT_URL ??
      process.env.AWS_ENDPOINT_URL_SQS ??
      process.env.AWS_ENDPOINT_URL,
  );
}

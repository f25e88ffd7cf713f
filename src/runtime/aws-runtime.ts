import { createClient } from '../client/client.js';
import { setDefaultEnqueuer } from '../client/default-enqueuer.js';
import type { WharfClient } from '../client/types.js';
import { type Clock, systemClock } from '../clock.js';
import type { AwsService } from '../config/aws-settings.js';
import { configFromEnv, ENV_VARIABLES, type WharfConfig } from '../config/env-config.js';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { TraceHeaderSource } from '../observe/trace-header.js';
import type { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import type { JobScheduler } from '../schedule/types.js';
import { DynamoDBClient } from '../store/dynamodb/dynamodb-client-class.js';
import { createDynamoJobStore } from '../store/dynamodb/dynamodb-store.js';
import type { JobStore } from '../store/types.js';
import type { SQSClient } from '../transport/sqs/sqs-api.js';
import type { SqsTransport } from '../transport/sqs/sqs-transport.js';
import { type AwsClients, createAwsClients } from './aws-clients.js';
import { createLazyJobStore } from './lazy-job-store.js';
import { createLazyScheduler } from './lazy-scheduler.js';
import { createLazySqsTransport } from './lazy-sqs-transport.js';

export interface AwsRuntimeOptions {
  readonly registry: JobRegistry;
  /**
   * The environment: WHARF_* variables are read from it alone. AWS_REGION, AWS_DEFAULT_REGION and the
   * AWS_ENDPOINT_URL variables are read from it first, then from the process environment, which the SDK reads
   * itself (config/aws-settings.ts); what is found is passed to each client explicitly.
   * @default process.env
   */
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
  /**
   * Makes `job.performLater` (anywhere in the process) use this runtime's client, as
   * `setDefaultEnqueuer(runtime.client)` does. Process-wide, so off unless asked: with two runtimes, the one that
   * installed last would win. The Lambda and worker entries, which own their process, turn it on.
   * @default false
   */
  readonly installAsDefault?: boolean;
  /** The enqueueing request's trace header (ClientOptions.traceHeader, README "Traces"). @default `_X_AMZN_TRACE_ID` */
  readonly traceHeader?: TraceHeaderSource;
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
  /**
   * The enqueue client of this runtime. `job.performLater` uses it only when told to (`installAsDefault`, or
   * `setDefaultEnqueuer(runtime.client)` at start-up).
   */
  readonly client: WharfClient;
  /** The runtime's SDK clients, one per service, built on first need; `close()` destroys those built. */
  readonly clients: AwsClients;
}

/**
 * Everything a producer or worker needs on AWS, built once per module from the environment the CDK construct
 * sets. Producers in other services call it with their registry (README "AWS, LocalStack, moto"). Without
 * `installAsDefault` it has no process-wide effect: two runtimes each keep their own client.
 */
export function createAwsRuntime(options: AwsRuntimeOptions): AwsRuntime {
  const env = options.env ?? process.env;
  const config = configFromEnv(options.registry.queues, env);
  const clock = options.clock ?? systemClock;
  const uses: AwsService[] = ['sqs'];
  if (config.tableName) uses.push('dynamodb');
  if (config.scheduler) uses.push('scheduler');
  // The region is checked here (by the root, for clients it builds), not by a first request that fails or is
  // retried as a network error.
  const clients = createAwsClients({
    env,
    uses,
    ...(options.region === undefined ? {} : { region: options.region }),
    given: { sqs: options.sqs, dynamodb: options.dynamodb, scheduler: options.scheduler },
    // Static: the DynamoDB store is on a job's happy path, so its client class is loaded at init anyway.
    dynamodbClass: () => DynamoDBClient,
  });
  // Only DynamoDB is on a job's happy path (claim, run, record success): its store is imported statically, so
  // it loads at init; SQS and Scheduler load on first need.
  const { tableName } = config;
  const store = tableName
    ? createLazyJobStore(async () => createDynamoJobStore({ client: await clients.dynamodb(), tableName }))
    : undefined;
  if (!store) refuseWorkerWithoutTable(options.registry, config);
  const transport = createLazySqsTransport({ client: clients.sqs, queues: config.queues, clock });
  const scheduler = config.scheduler
    ? createLazyScheduler({ ...config.scheduler, client: clients.scheduler, clock })
    : undefined;
  const client = createClient({
    transport,
    clock,
    scheduler,
    registry: options.registry,
    lanes: config.lanes,
    ...(store ? { store } : {}),
    ...(options.traceHeader ? { traceHeader: options.traceHeader } : {}),
    // The outbox entries of `transactItems` go to the job table (README "Enqueue after commit"), and only where
    // a relay sends them on: entries in a table nobody relays would wait there unsent until they expire.
    ...(tableName && config.outbox ? { outboxTable: tableName } : {}),
  });
  if (options.installAsDefault === true) setDefaultEnqueuer(client);
  return {
    config,
    transport,
    ...(store ? { store } : {}),
    ...(scheduler ? { scheduler } : {}),
    client,
    // Without the root's CloudFormation client: an operator's tool, not the runtime's.
    clients: {
      sqs: clients.sqs,
      dynamodb: clients.dynamodb,
      scheduler: clients.scheduler,
      close: clients.close,
    },
  };
}

/** A worker whose jobs record their state cannot run without the table: said at start-up, not at the first job. */
function refuseWorkerWithoutTable(registry: JobRegistry, config: WharfConfig): void {
  const needsStore = registry.jobs.some((job) => job.options.idempotency !== 'off');
  if (needsStore && config.workerQueue) {
    throw new ConfigError(
      `${ENV_VARIABLES.tableName} is not set, but jobs on this worker record their state: set it (the CDK construct does).`,
    );
  }
}

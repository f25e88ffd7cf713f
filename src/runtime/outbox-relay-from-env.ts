import { type Clock, systemClock } from '../clock.js';
import type { AwsService } from '../config/aws-settings.js';
import { configFromEnv, ENV_VARIABLES, queuesFromEnv, type WharfConfig } from '../config/env-config.js';
import { ConfigError } from '../errors.js';
import { logicalQueueOf } from '../job/lanes.js';
import type { OutboxRelayEvent } from '../outbox/relay.js';
import { createOutboxRelay, type OutboxRelayHandler } from '../outbox/relay-handler.js';
import type { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import { DynamoDBClient } from '../store/dynamodb/dynamodb-client-class.js';
import { createDynamoJobStore } from '../store/dynamodb/dynamodb-store.js';
import type { SQSClient } from '../transport/sqs/sqs-api.js';
import { createAwsClients } from './aws-clients.js';
import { createLazyJobStore } from './lazy-job-store.js';
import { createLazyScheduler } from './lazy-scheduler.js';
import { createLazySqsTransport } from './lazy-sqs-transport.js';

export interface OutboxRelayFromEnvOptions {
  /** WHARF_* variables are read from it alone, AWS_* ones from it first (as createAwsRuntime). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** SDK clients of the caller's own; by default built from the standard chain, region and endpoint variables. */
  readonly sqs?: SQSClient;
  readonly dynamodb?: DynamoDBClient;
  readonly scheduler?: SchedulerClient;
  readonly clock?: Clock;
  /** @default one JSON log line per record (failures and dead letters on stderr) */
  readonly onEvent?: (event: OutboxRelayEvent) => void;
}

/**
 * The outbox relay function (README "Enqueue after commit"), configured from the variables the CDK construct
 * sets on it: WHARF_TABLE_NAME (the table whose stream it reads and whose entries it clears), every queue's
 * WHARF_QUEUE_URL_<QUEUE> and WHARF_DLQ_URL_<QUEUE> (and each lane's), and WHARF_SCHEDULE_GROUP with
 * WHARF_SCHEDULER_ROLE_ARN for jobs due beyond 15 minutes. It needs no job registry: an entry names its queue,
 * and the worker validates its job. The construct deploys it from this package's own entry with `outbox: true`.
 *
 * @example
 * export const handler = createOutboxRelayFromEnv();
 */
export function createOutboxRelayFromEnv(options: OutboxRelayFromEnvOptions = {}): OutboxRelayHandler {
  const env = options.env ?? process.env;
  const config = relayConfigFromEnv(env);
  const tableName = config.tableName!;
  const clock = options.clock ?? systemClock;
  const uses: AwsService[] = ['sqs', 'dynamodb', ...(config.scheduler ? (['scheduler'] as const) : [])];
  const clients = createAwsClients({
    env,
    uses,
    given: { sqs: options.sqs, dynamodb: options.dynamodb, scheduler: options.scheduler },
    // Static: every record's first call is the pending check, so the DynamoDB client loads at init anyway.
    dynamodbClass: () => DynamoDBClient,
  });
  const store = createLazyJobStore(async () =>
    createDynamoJobStore({ client: await clients.dynamodb(), tableName }),
  );
  return createOutboxRelay({
    transport: createLazySqsTransport({ client: clients.sqs, queues: config.queues, clock }),
    ...(config.scheduler
      ? { scheduler: createLazyScheduler({ ...config.scheduler, client: clients.scheduler, clock }) }
      : {}),
    outbox: store,
    clock,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
}

/**
 * Every queue the environment names, read back from its variables (queue names are lower case with "-", so the
 * variable's name gives the queue's exactly), then the whole configuration of those queues and their lanes.
 */
function relayConfigFromEnv(env: NodeJS.ProcessEnv): WharfConfig {
  const queues = [...new Set(Object.keys(queuesFromEnv(env)).map(logicalQueueOf))];
  const config = configFromEnv(queues, env);
  if (!config.tableName) {
    throw new ConfigError(
      `${ENV_VARIABLES.tableName} is not set: the outbox relay clears the entries it sent from the job table (the construct sets it with \`outbox: true\`).`,
    );
  }
  return config;
}

import { createClient } from '../client/client.js';
import { configFromEnv, type QueueUrls } from '../config/env-config.js';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import { createEventBridgeScheduler } from '../schedule/eventbridge/eventbridge-scheduler.js';
import { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import { DynamoDBClient } from '../store/dynamodb/dynamodb-api.js';
import { createDynamoJobStore } from '../store/dynamodb/dynamodb-store.js';
import { createSqsTransport } from '../transport/sqs/index.js';
import { SQSClient } from '../transport/sqs/sqs-api.js';
import { createSqsQueueAdmin } from '../transport/sqs/sqs-queue-admin.js';
import { createOps, type OpsOptions } from './create-ops.js';
import { createScheduleSource } from './schedules.js';
import type { Ops } from './types.js';

export interface AwsOpsOptions
  extends Pick<OpsOptions, 'redact' | 'redrive' | 'schedules' | 'clock' | 'bulkHoldSeconds'> {
  /** Gives queue names, schemas and redaction paths; without it, queues come from the environment alone. */
  readonly registry?: JobRegistry;
  /** Where WHARF_* and AWS_* variables are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default the SDK's region chain (AWS_REGION, profile) */
  readonly region?: string;
  /** LocalStack, moto: wins over AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
  /** @default env.WHARF_TABLE_NAME */
  readonly tableName?: string;
}

export interface AwsOps extends Ops {
  /** Closes the SDK clients' connections (a CLI process then exits at once). */
  close(): void;
}

/**
 * Ops against AWS (or an emulator), configured like every other wharf process: the standard credential chain,
 * and the WHARF_* variables the CDK construct sets and the stack outputs.
 */
export function createAwsOps(options: AwsOpsOptions = {}): AwsOps {
  const env = options.env ?? process.env;
  const names = options.registry ? options.registry.queues : Object.keys(queuesFromEnv(env));
  const config = configFromEnv(names, env);
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL;
  const common = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  // With an endpoint configured, queue URLs that look like amazonaws.com (moto's CloudFormation) go there too.
  const sqs = new SQSClient({ ...common, useQueueUrlAsEndpoint: !endpoint });
  const tableName = options.tableName ?? config.tableName;
  const dynamodb = tableName ? new DynamoDBClient(common) : undefined;
  const scheduler = config.scheduler ? new SchedulerClient(common) : undefined;
  const transport = createSqsTransport({ client: sqs, queues: config.queues });
  const ops = createOps({
    ...options,
    admin: createSqsQueueAdmin({ client: sqs, queues: config.queues }),
    ...(dynamodb && tableName ? { store: createDynamoJobStore({ client: dynamodb, tableName }) } : {}),
    enqueuer: createClient({ transport, ...(options.registry ? { registry: options.registry } : {}) }),
    ...(config.scheduler && scheduler && !options.schedules
      ? {
          schedules: createScheduleSource({
            scheduler: createEventBridgeScheduler({ ...config.scheduler, client: scheduler }),
            transport,
          }),
        }
      : {}),
  });
  return {
    ...ops,
    close() {
      sqs.destroy();
      dynamodb?.destroy();
      scheduler?.destroy();
    },
  };
}

const QUEUE_URL_PREFIX = 'WHARF_QUEUE_URL_';

/**
 * Every queue the environment names (WHARF_QUEUE_URL_<QUEUE> with its WHARF_DLQ_URL_<QUEUE>), for an operator
 * who has the stack's outputs but not the app's code. Names come back lower-cased with "_" as "-".
 */
export function queuesFromEnv(env: NodeJS.ProcessEnv): Record<string, QueueUrls> {
  const names = Object.keys(env)
    .filter((key) => key.startsWith(QUEUE_URL_PREFIX) && env[key])
    .map((key) => key.slice(QUEUE_URL_PREFIX.length).toLowerCase().replace(/_/g, '-'))
    .sort();
  if (names.length === 0) {
    throw new ConfigError(
      "No queues configured: set WHARF_QUEUE_URL_<QUEUE> and WHARF_DLQ_URL_<QUEUE> from the stack's outputs " +
        '(eval "$(npx wharf env --stack <StackName>)"), or pass --registry <module> with the WHARF_* variables of its queues.',
    );
  }
  return { ...configFromEnv(names, env).queues };
}

import { createClient } from '../client/client.js';
import { systemClock } from '../clock.js';
import { configFromEnv, type QueueUrls } from '../config/env-config.js';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import { createLazyScheduler } from '../runtime/lazy-scheduler.js';
import { createLazySqsTransport } from '../runtime/lazy-sqs-transport.js';
import { createOps, type OpsOptions } from './create-ops.js';
import { lazyClients, lazyJobStore, lazyQueueAdmin } from './lazy-aws-ports.js';
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
  // Clients are built on first use: ops that are never called (wharf --help) load no AWS SDK.
  const clients = lazyClients({ ...common, useQueueUrlAsEndpoint: !endpoint }, common);
  const tableName = options.tableName ?? config.tableName;
  const transport = createLazySqsTransport({
    client: clients.sqs,
    clientConfig: {},
    queues: config.queues,
    clock: systemClock,
  });
  const ops = createOps({
    ...options,
    admin: lazyQueueAdmin(clients, config.queues),
    ...(tableName ? { store: lazyJobStore(clients, tableName) } : {}),
    // The registry lets the client refuse a job it lacks at enqueue, as every client with a registry does.
    enqueuer: createClient({ transport, ...(options.registry ? { registry: options.registry } : {}) }),
    ...(config.scheduler && !options.schedules
      ? {
          schedules: createScheduleSource({
            scheduler: createLazyScheduler({
              ...config.scheduler,
              client: clients.scheduler,
              clientConfig: {},
              clock: systemClock,
            }),
            transport,
          }),
        }
      : {}),
  });
  return { ...ops, close: clients.close };
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

import { createClient } from '../client/client.js';
import { systemClock } from '../clock.js';
import { configFromEnv, ENV_VARIABLES, queueArnFromUrl, queuesFromEnv } from '../config/env-config.js';
import { resolveRegion } from '../config/region.js';
import { logicalQueueOf } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import { DEFAULT_METRICS_NAMESPACE } from '../observe/metric-names.js';
import { createAwsClients } from '../runtime/aws-clients.js';
import { loadCloudWatch } from '../runtime/cloudwatch-api.js';
import { importDynamoDBClass } from '../runtime/import-dynamodb-class.js';
import { loadLambda } from '../runtime/lambda-api.js';
import { createLazyJobStore } from '../runtime/lazy-job-store.js';
import { createLazyScheduler } from '../runtime/lazy-scheduler.js';
import { createLazySqsTransport } from '../runtime/lazy-sqs-transport.js';
import { cloudWatchStats } from './cloudwatch-stats.js';
import { createOps, type OpsOptions } from './create-ops.js';
import { lazyQueueAdmin } from './lazy-queue-admin.js';
import { lambdaQueueConsumers } from './queue-consumers.js';
import { createScheduleSource } from './schedules.js';
import type { Ops } from './types.js';
import { workerMemory } from './worker-memory.js';

export interface AwsOpsOptions
  extends Pick<OpsOptions, 'redact' | 'redrive' | 'schedules' | 'clock' | 'bulkHoldSeconds'> {
  /** Gives queue names, schemas and redaction paths; without it, queues come from the environment alone. */
  readonly registry?: JobRegistry;
  /** Where WHARF_* and AWS_* variables are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * @default AWS_REGION, AWS_DEFAULT_REGION, then a profile's region; with none, createAwsOps throws ConfigError
   */
  readonly region?: string;
  /** LocalStack, moto: wins over AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. */
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
 * and the WHARF_* variables the CDK construct sets and the stack outputs. Its clients come from the same
 * composition root as the runtime's (runtime/aws-clients.ts), each built on first use: ops that are never called
 * (wharf --help) load no AWS SDK.
 */
export function createAwsOps(options: AwsOpsOptions = {}): AwsOps {
  const env = options.env ?? process.env;
  // Logical queues: configFromEnv adds each one's lanes (WHARF_LANES_<QUEUE>) under `<queue>/<lane>`.
  const names = options.registry
    ? options.registry.queues
    : [...new Set(Object.keys(queuesFromEnv(env)).map(logicalQueueOf))];
  const config = configFromEnv(names, env);
  const clients = createAwsClients({
    env,
    uses: ['sqs', 'dynamodb', 'scheduler'],
    dynamodbClass: importDynamoDBClass,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const tableName = options.tableName ?? config.tableName;
  const transport = createLazySqsTransport({
    client: clients.sqs,
    queues: config.queues,
    clock: systemClock,
  });
  const store = tableName
    ? createLazyJobStore(async () => {
        const { createDynamoJobStore } = await import('../store/dynamodb/dynamodb-store.js');
        return createDynamoJobStore({ client: await clients.dynamodb(), tableName });
      })
    : undefined;
  // An emulator's queue URL has no region in it: the process's region fills in, as for Scheduler's targets.
  const region = resolveRegion(options.region, env);
  // Every lane of the queue (`<queue>/<lane>`) has its own mapping: pausing the queue switches them all.
  const arnsOf = (queue: string) =>
    Object.entries(config.queues)
      .filter(([address]) => logicalQueueOf(address) === queue)
      .map(([, urls]) => queueArnFromUrl(urls.url, region))
      .filter((arn): arn is string => arn !== undefined);
  const consumers = lambdaQueueConsumers({ client: clients.lambda, api: loadLambda, arnsOf });
  const stats = cloudWatchStats({
    client: clients.cloudWatch,
    api: loadCloudWatch,
    namespace: env[ENV_VARIABLES.metricsNamespace] || DEFAULT_METRICS_NAMESPACE,
    ...(options.registry ? { registry: options.registry } : {}),
    memoryOf: workerMemory({ client: clients.lambda, api: loadLambda, arnsOf }),
  });
  // One scheduler for the schedule listing and for `cancel` (which deletes a waiting job's schedule).
  const scheduler = config.scheduler
    ? createLazyScheduler({ ...config.scheduler, client: clients.scheduler, clock: systemClock })
    : undefined;
  const ops = createOps({
    ...options,
    consumers,
    stats,
    admin: lazyQueueAdmin(clients.sqs, config.queues),
    ...(store ? { store } : {}),
    // The registry lets the client refuse a job it lacks at enqueue, as every client with a registry does.
    enqueuer: createClient({
      transport,
      lanes: config.lanes,
      ...(options.registry ? { registry: options.registry } : {}),
    }),
    ...(scheduler ? { scheduler } : {}),
    ...(scheduler && !options.schedules ? { schedules: createScheduleSource({ scheduler, transport }) } : {}),
  });
  return { ...ops, close: clients.close };
}

/** Moved to config/ (both directions of the environment contract live there); kept here for `wharf-jobs/ops`. */
export { queuesFromEnv } from '../config/env-config.js';

import { ENV_VARIABLES, type WharfConfig } from '../config/env-config.js';
import type { ErrorReporter } from '../engine/error-reporter.js';
import type { JobEventListener } from '../engine/events.js';
import { ConfigError } from '../errors.js';
import { lanesOf, laneTargets } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import { createLambdaHandler, type LambdaWorkerOptions } from '../lambda/lambda-handler.js';
import type { LambdaWorkerHandler } from '../lambda/middleware-types.js';
import type { JobTracer } from '../observe/trace-types.js';
import { createAwsRuntime } from './aws-runtime.js';

export interface LambdaFromEnvOptions {
  readonly registry: JobRegistry;
  readonly env?: NodeJS.ProcessEnv;
  /** Records of one batch run at once. @default 10 */
  readonly concurrency?: number;
  /** @default one JSON log line per outcome */
  readonly onEvent?: JobEventListener;
  /** The process-wide error reporter (Sentry...): EngineOptions.reportError. @default none */
  readonly reportError?: ErrorReporter;
  /** Spans per job run (a Powertools Tracer): EngineOptions.tracer, README "Traces". @default none */
  readonly tracer?: JobTracer;
}

/**
 * The worker function of one queue, configured from the variables the CDK construct sets (WHARF_QUEUE and the
 * queue, dead-letter and table variables). A middy handler: add your own middlewares with `.use(...)`.
 *
 * It owns its process (one Lambda function), so it installs its client as the process's default:
 * `job.performLater`, in a job or anywhere else in the function, enqueues through it.
 *
 * @example
 * // functions/worker.ts
 * export const handler = createLambdaWorkerFromEnv({ registry });
 */
export function createLambdaWorkerFromEnv(options: LambdaFromEnvOptions): LambdaWorkerHandler {
  return createLambdaHandler(lambdaWorkerOptionsFromEnv(options));
}

/**
 * The same configuration as options, for `runJobs(...)` in a middy chain of your own or `createBatchHandler`.
 * Like `createLambdaWorkerFromEnv`, it installs the runtime's client as the process's default for `performLater`.
 *
 * @example
 * export const handler = middy().use(myMiddleware).use(runJobs(lambdaWorkerOptionsFromEnv({ registry })));
 */
export function lambdaWorkerOptionsFromEnv(options: LambdaFromEnvOptions): LambdaWorkerOptions {
  const env = options.env ?? process.env;
  const queue = env[ENV_VARIABLES.workerQueue];
  if (!queue) {
    throw new ConfigError(
      `${ENV_VARIABLES.workerQueue} is not set: the worker function does not know which queue it serves.`,
    );
  }
  const runtime = createAwsRuntime({ registry: options.registry, env, installAsDefault: true });
  return {
    registry: options.registry,
    queue,
    laneQueues: laneQueuesOf(queue, runtime.config),
    transport: runtime.transport,
    store: runtime.store,
    scheduler: runtime.scheduler,
    concurrency: options.concurrency,
    onEvent: options.onEvent ?? logEvent,
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.reportError ? { reportError: options.reportError } : {}),
  };
}

/** Each lane's SQS queue name (the last part of its URL, as of its ARN) to its address. */
function laneQueuesOf(queue: string, config: WharfConfig): Record<string, string> {
  const lanes: Record<string, string> = {};
  for (const target of laneTargets(queue, lanesOf(config.lanes, queue))) {
    const url = config.queues[target.address]?.url;
    if (url && target.address !== queue) lanes[url.slice(url.lastIndexOf('/') + 1)] = target.address;
  }
  return lanes;
}

/** CloudWatch Logs reads one JSON object per line; progress events are too chatty to log by default. */
function logEvent(event: Parameters<JobEventListener>[0]): void {
  if (event.type === 'progress') return;
  console.log(JSON.stringify({ wharf: event.type, ...event }));
}

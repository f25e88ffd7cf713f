import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
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
import { type ObservabilityOptions, observabilityFromEnv } from './observability-from-env.js';

export interface LambdaFromEnvOptions extends ObservabilityOptions {
  readonly registry: JobRegistry;
  readonly env?: NodeJS.ProcessEnv;
  /** Records of one batch run at once. @default 10 */
  readonly concurrency?: number;
  /** Every engine event (the lifecycle lines and metrics have their own options). @default none */
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
  const workerOptions = lambdaWorkerOptionsFromEnv(options);
  const handler = createLambdaHandler(workerOptions);
  // The logger made here gets the invocation's keys (request id, cold start, function) on every line.
  const own = ownLoggers.get(workerOptions);
  return own ? handler.use(injectLambdaContext(own)) : handler;
}

/** The Powertools Logger each options object was given by lambdaWorkerOptionsFromEnv, when it made one. */
const ownLoggers = new WeakMap<LambdaWorkerOptions, Logger>();

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
  const observed = observabilityFromEnv(options, env);
  const workerOptions: LambdaWorkerOptions = {
    registry: options.registry,
    queue,
    laneQueues: laneQueuesOf(queue, runtime.config),
    transport: runtime.transport,
    store: runtime.store,
    scheduler: runtime.scheduler,
    concurrency: options.concurrency,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    logger: observed.logger,
    ...(observed.metrics ? { metrics: observed.metrics } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.reportError ? { reportError: options.reportError } : {}),
  };
  if (observed.ownLogger) ownLoggers.set(workerOptions, observed.ownLogger);
  return workerOptions;
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

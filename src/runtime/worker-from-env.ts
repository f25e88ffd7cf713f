import { ENV_VARIABLES } from '../config/env-config.js';
import type { ErrorReporter } from '../engine/error-reporter.js';
import type { JobEventListener } from '../engine/events.js';
import type { JobRegistry } from '../job/registry.js';
import type { JobTracer } from '../observe/trace-types.js';
import { createWorker, type Worker } from '../worker/worker.js';
import { createAwsRuntime } from './aws-runtime.js';
import { type ObservabilityOptions, observabilityFromEnv } from './observability-from-env.js';

export interface WorkerFromEnvOptions extends ObservabilityOptions {
  readonly registry: JobRegistry;
  readonly env?: NodeJS.ProcessEnv;
  /** @default WHARF_QUEUE when set, else every queue of the registry */
  readonly queues?: readonly string[];
  /** @default 10 */
  readonly concurrency?: number;
  readonly onEvent?: JobEventListener;
  /** The process-wide error reporter (Sentry...): EngineOptions.reportError. @default none */
  readonly reportError?: ErrorReporter;
  /** Spans per job run (a Powertools Tracer): EngineOptions.tracer, README "Traces". @default none */
  readonly tracer?: JobTracer;
}

/**
 * A long-running worker (a container, a VM, a laptop against LocalStack or moto) configured from the same
 * variables the CDK construct sets for Lambda workers. It owns its process, so it installs its client as the
 * process's default: `job.performLater`, in a job or anywhere else in the process, enqueues through it.
 */
export function createWorkerFromEnv(options: WorkerFromEnvOptions): Worker {
  const env = options.env ?? process.env;
  const runtime = createAwsRuntime({ registry: options.registry, env, installAsDefault: true });
  const workerQueue = env[ENV_VARIABLES.workerQueue];
  const observed = observabilityFromEnv(options, env);
  return createWorker({
    registry: options.registry,
    consumer: runtime.transport,
    transport: runtime.transport,
    store: runtime.store,
    scheduler: runtime.scheduler,
    queues: options.queues ?? (workerQueue ? [workerQueue] : undefined),
    lanes: runtime.config.lanes,
    concurrency: options.concurrency,
    onEvent: options.onEvent,
    logger: observed.logger,
    ...(observed.metrics ? { metrics: observed.metrics } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.reportError ? { reportError: options.reportError } : {}),
  });
}

import { Logger } from '@aws-lambda-powertools/logger';
import { ENV_VARIABLES } from '../config/env-config.js';
import { InvalidOptionsError } from '../errors.js';
import { JobMetrics } from '../observe/job-metrics.js';
import type { JobLogger, LogLevel } from '../observe/logger.js';
import { LOG_LEVELS } from '../observe/logger.js';

/** What the from-env workers take to set up logs and metrics (README "Logs", README "Metrics"). */
export interface ObservabilityOptions {
  /**
   * The logger behind `ctx.logger` and the lifecycle lines. @default a Powertools Logger (service
   * POWERTOOLS_SERVICE_NAME, else `wharf`; level `logLevel`, else POWERTOOLS_LOG_LEVEL, else INFO)
   */
  readonly logger?: JobLogger;
  /** The default logger's level. @default POWERTOOLS_LOG_LEVEL (the construct's `observability.logLevel`), else INFO */
  readonly logLevel?: LogLevel;
  /**
   * The per-job-type EMF metrics, or false for none. @default on, namespace WHARF_METRICS_NAMESPACE or `Wharf`;
   * WHARF_METRICS=off turns them off
   */
  readonly metrics?: false | { readonly namespace?: string };
}

export interface Observability {
  readonly logger: JobLogger;
  /** The Powertools Logger made here (none when the caller passed its own), for its Lambda context middleware. */
  readonly ownLogger?: Logger;
  readonly metrics?: JobMetrics;
}

/** The composition root's part for logs and metrics, shared by the Lambda worker and the worker process. */
export function observabilityFromEnv(options: ObservabilityOptions, env: NodeJS.ProcessEnv): Observability {
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) {
    throw new InvalidOptionsError('worker options', [
      `logLevel must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(options.logLevel)}`,
    ]);
  }
  const metrics = metricsFromEnv(options.metrics, env);
  if (options.logger) return { logger: options.logger, ...(metrics ? { metrics } : {}) };
  const ownLogger = new Logger({
    serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'wharf',
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  });
  return { logger: ownLogger, ownLogger, ...(metrics ? { metrics } : {}) };
}

function metricsFromEnv(
  option: ObservabilityOptions['metrics'],
  env: NodeJS.ProcessEnv,
): JobMetrics | undefined {
  if (option === false) return undefined;
  const switched = env[ENV_VARIABLES.metrics]?.trim().toLowerCase();
  if (switched === 'off' || switched === 'false' || switched === '0') return undefined;
  const namespace = option?.namespace ?? (env[ENV_VARIABLES.metricsNamespace] || undefined);
  return new JobMetrics(namespace ? { namespace } : {});
}

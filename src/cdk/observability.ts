import { Tracing } from 'aws-cdk-lib/aws-lambda';
import { ENV_VARIABLES } from '../config/env-config.js';
import type { JobRegistry } from '../job/registry.js';
import { LOG_LEVELS, type LogLevel } from '../observe/logger.js';
import { DEFAULT_METRICS_NAMESPACE } from '../observe/metric-names.js';
import type { RuntimeSetting } from './outputs.js';
import type { WharfJobsProps } from './wharf-jobs-props.js';

/** The observability props resolved: the one place their defaults live. */
export interface ObservabilitySettings {
  readonly namespace: string;
  readonly metrics: boolean;
  readonly logLevel?: LogLevel;
  readonly tracing: Tracing;
}

// The props spell the levels out; this fails to compile if they and the logger's ever differ.
type PropsLogLevel = NonNullable<NonNullable<WharfJobsProps['observability']>['logLevel']>;
const sameLevels: [PropsLogLevel, LogLevel] extends [LogLevel, PropsLogLevel] ? true : never = true;
void sameLevels;

/** Powertools reads these itself: the Logger its level, the Tracer whether to trace. */
const POWERTOOLS_LOG_LEVEL = 'POWERTOOLS_LOG_LEVEL';
const POWERTOOLS_TRACE_ENABLED = 'POWERTOOLS_TRACE_ENABLED';

/** CloudWatch's rule for a namespace: 1-256 of these characters, and not `AWS/` (AWS's own). */
const NAMESPACE_PATTERN = /^[A-Za-z0-9.\-_/#: ]{1,255}$/;

export function resolveObservability(props: WharfJobsProps): ObservabilitySettings {
  const given = props.observability ?? {};
  return {
    namespace: given.namespace ?? DEFAULT_METRICS_NAMESPACE,
    metrics: given.metrics !== false,
    logLevel: given.logLevel,
    tracing: props.tracing ?? Tracing.ACTIVE,
  };
}

/** What is wrong with the observability props and the dead-letter rate alarm settings, all at once. */
export function observabilityProblems(props: WharfJobsProps, registry: JobRegistry): string[] {
  const problems: string[] = [];
  const { namespace, logLevel } = props.observability ?? {};
  if (namespace !== undefined && (!NAMESPACE_PATTERN.test(namespace) || namespace.startsWith('AWS/'))) {
    problems.push(
      `observability.namespace: "${namespace}" is not a CloudWatch namespace: 1-255 letters, digits, spaces ` +
        'and . - _ / # :, not starting with "AWS/"',
    );
  }
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    problems.push(`observability.logLevel: "${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const rate = props.alarms?.deadLetterRate;
  const unknown = Object.keys(rate?.jobs ?? {}).filter((name) => !registry.get(name));
  if (unknown.length > 0) {
    problems.push(
      `alarms.deadLetterRate.jobs: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is not a job' : 'are not jobs'} ` +
        `of the registry (its jobs: ${registry.jobs.map((j) => j.name).join(', ')})`,
    );
  }
  for (const [where, settings] of [
    ['alarms.deadLetterRate', rate],
    ...Object.entries(rate?.jobs ?? {}).map(
      ([name, s]) => [`alarms.deadLetterRate.jobs.${name}`, s] as const,
    ),
  ] as const) {
    const runs = settings?.minimumRuns;
    if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) {
      problems.push(`${where}.minimumRuns: ${runs} must be a whole number of at least 1`);
    }
    const period = settings?.period?.toSeconds();
    if (period !== undefined && (period < 60 || period % 60 !== 0)) {
      problems.push(
        `${where}.period: ${period} seconds; the job-type metrics are standard resolution, so a period is a whole number of minutes`,
      );
    }
  }
  return problems;
}

/** The variables every worker gets, beside the WHARF_* configuration. */
export function workerObservabilityEnvironment(settings: ObservabilitySettings): Record<string, string> {
  return {
    ...(settings.metrics
      ? { [ENV_VARIABLES.metricsNamespace]: settings.namespace }
      : { [ENV_VARIABLES.metrics]: 'off' }),
    ...relayObservabilityEnvironment(settings),
  };
}

/** The variables of a function that runs no job (the outbox relay): logs and traces, no job-type metrics. */
export function relayObservabilityEnvironment(settings: ObservabilitySettings): Record<string, string> {
  return {
    ...(settings.logLevel ? { [POWERTOOLS_LOG_LEVEL]: settings.logLevel } : {}),
    [POWERTOOLS_TRACE_ENABLED]: settings.tracing === Tracing.DISABLED ? 'false' : 'true',
  };
}

/**
 * The stack output of the metrics' namespace, for `wharf env --stack` and `wharf stats` (README "Stats and cost").
 * Not a function variable: the workers get it with their observability variables, and producers need none.
 */
export function metricsNamespaceSetting(settings: ObservabilitySettings): RuntimeSetting[] {
  if (!settings.metrics) return [];
  return [
    {
      variable: ENV_VARIABLES.metricsNamespace,
      value: settings.namespace,
      outputName: 'MetricsNamespace',
      what: 'the CloudWatch namespace of the per-job-type metrics',
      inFunctions: false,
    },
  ];
}

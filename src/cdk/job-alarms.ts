import { Duration } from 'aws-cdk-lib';
import { type Alarm, MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { type AlarmPolicy, policyAlarm } from './alarms.js';
import { type JobType, JobTypeMetrics } from './job-type-metrics.js';
import type { WharfDeadLetterRateSettings } from './wharf-jobs-props.js';

/** The alarms of one job type, from its metrics (README "CloudWatch dashboard and alarms per job type"). */
export interface JobAlarms {
  /** The share of the job type's runs that were dead-lettered in a period, in percent. */
  readonly deadLetterRate?: Alarm;
}

/** The defaults of WharfDeadLetterRateSettings, resolved here only. */
export const DEAD_LETTER_RATE_DEFAULTS = {
  thresholdPercent: 5,
  period: Duration.minutes(5),
  evaluationPeriods: 1,
  minimumRuns: 10,
} as const;

/**
 * One alarm per job type, under `JobTypes/<job name>/DeadLetterRateAlarm`: dead letters over runs in percent,
 * where runs are the attempts that ended (succeeded, retried, dead-lettered, discarded). Outcome counts are
 * published only when non-zero, so each is FILLed with 0: a period with no runs reads 0, not missing data.
 */
export function createJobAlarms(
  parent: Construct,
  namespace: string,
  jobs: readonly JobType[],
  policy: AlarmPolicy,
): Record<string, JobAlarms> {
  const scope = new Construct(parent, 'JobTypes');
  const alarms: Record<string, JobAlarms> = {};
  const all = policy.options.deadLetterRate ?? {};
  for (const job of jobs) {
    const own = all.jobs?.[job.name] ?? {};
    const settings: WharfDeadLetterRateSettings = {
      ...withoutJobs(all),
      ...own,
      actions: [...(all.actions ?? []), ...(own.actions ?? [])],
    };
    if (settings.enabled === false) {
      alarms[job.name] = {};
      continue;
    }
    alarms[job.name] = {
      deadLetterRate: deadLetterRateAlarm(new Construct(scope, job.name), namespace, job, settings, policy),
    };
  }
  return alarms;
}

function deadLetterRateAlarm(
  scope: Construct,
  namespace: string,
  job: JobType,
  settings: WharfDeadLetterRateSettings,
  policy: AlarmPolicy,
): Alarm {
  const period = settings.period ?? DEAD_LETTER_RATE_DEFAULTS.period;
  const minimumRuns = settings.minimumRuns ?? DEAD_LETTER_RATE_DEFAULTS.minimumRuns;
  const threshold = settings.threshold ?? DEAD_LETTER_RATE_DEFAULTS.thresholdPercent;
  const metrics = new JobTypeMetrics(namespace, job);
  const usingMetrics = {
    succeeded: metrics.outcome('succeeded', period),
    retried: metrics.outcome('retried', period),
    dead: metrics.outcome('dead', period),
    discarded: metrics.outcome('discarded', period),
  };
  const runs = 'FILL(succeeded, 0) + FILL(retried, 0) + FILL(dead, 0) + FILL(discarded, 0)';
  const rate = new MathExpression({
    // Below minimumRuns the rate reads 0; minimumRuns is at least 1, so the division never sees 0 runs.
    expression: `IF((${runs}) >= ${minimumRuns}, 100 * FILL(dead, 0) / (${runs}), 0)`,
    usingMetrics,
    period,
    label: `${job.name}: dead-letter rate (%)`,
  });
  return policyAlarm(scope, policy, {
    id: 'DeadLetterRateAlarm',
    metric: rate,
    threshold,
    evaluationPeriods: settings.evaluationPeriods ?? DEAD_LETTER_RATE_DEFAULTS.evaluationPeriods,
    description:
      `More than ${threshold}% of the runs of job "${job.name}" (queue "${job.queue}") were dead-lettered in ` +
      `${period.toHumanString()} (counted from ${minimumRuns} runs a period): look at its dead letters ` +
      '(wharf dlq list) and its logs',
    actions: settings.actions ?? [],
  });
}

function withoutJobs(all: WharfDeadLetterRateSettings & { jobs?: unknown }): WharfDeadLetterRateSettings {
  const { jobs: _jobs, ...settings } = all;
  return settings;
}

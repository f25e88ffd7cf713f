import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { JobDefinition } from '../job/define-job.js';
import {
  ATTEMPTS_METRIC,
  DURATION_METRIC,
  JOB_DIMENSIONS,
  LATENCY_METRIC,
  type MetricOutcome,
  OUTCOME_METRICS,
} from '../observe/metric-names.js';

/** What the dashboard and the alarms need to know of one job type: its name and its logical queue. */
export interface JobType {
  readonly name: string;
  readonly queue: string;
}

export function jobTypesOf(jobs: readonly JobDefinition[]): JobType[] {
  return jobs.map((job) => ({ name: job.name, queue: job.options.queue }));
}

/**
 * The metrics of one job type as the workers publish them (src/observe/metric-names.ts): in `namespace`, with
 * exactly the dimensions JobName and Queue. A metric is a series only for its full set of dimensions, so the
 * dashboard and alarms must name both, the queue being the job's logical queue (never a lane's address).
 */
export class JobTypeMetrics {
  constructor(
    readonly namespace: string,
    readonly job: JobType,
  ) {}

  /** The count of runs that ended in `outcome`, summed over `period`. */
  outcome(outcome: MetricOutcome, period: Duration, label: string = OUTCOME_METRICS[outcome]): Metric {
    return this.metric(OUTCOME_METRICS[outcome], { period, statistic: 'Sum', label });
  }

  /** Milliseconds per run, at `statistic` (p50, p95...). */
  duration(statistic: string, period: Duration, label = `duration ${statistic}`): Metric {
    return this.metric(DURATION_METRIC, { period, statistic, label });
  }

  /** Milliseconds from when a message was due to its run's start, at `statistic`. */
  latency(statistic: string, period: Duration, label = `latency ${statistic}`): Metric {
    return this.metric(LATENCY_METRIC, { period, statistic, label });
  }

  /** The attempt jobs ended on, at `statistic`. */
  attempts(statistic: string, period: Duration, label = `attempts ${statistic}`): Metric {
    return this.metric(ATTEMPTS_METRIC, { period, statistic, label });
  }

  private metric(
    metricName: string,
    // No unit: a metric with a unit set reads only data points of that unit, and a mismatch would read nothing.
    options: { period: Duration; statistic: string; label: string },
  ): Metric {
    const [jobDimension, queueDimension] = JOB_DIMENSIONS;
    return new Metric({
      namespace: this.namespace,
      metricName,
      dimensionsMap: { [jobDimension]: this.job.name, [queueDimension]: this.job.queue },
      period: options.period,
      statistic: options.statistic,
      label: options.label,
    });
  }
}

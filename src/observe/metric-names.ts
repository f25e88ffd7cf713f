/**
 * The CloudWatch metrics a worker publishes per job type (README "Metrics"), as EMF through Powertools Metrics.
 * One module names them for all three that must agree: the worker that writes them, the CDK construct's dashboard
 * and alarms that read them, and `wharf stats` that queries them.
 */

/** @default namespace of every metric; the construct's `observability.namespace` and WHARF_METRICS_NAMESPACE change it. */
export const DEFAULT_METRICS_NAMESPACE = 'Wharf';

/** Every metric has exactly these dimensions, in this order: one series per job type and queue. */
export const JOB_DIMENSIONS = ['JobName', 'Queue'] as const;

/** Runs by outcome: a count per flush, one metric each, published only when non-zero. */
export const OUTCOME_METRICS = {
  succeeded: 'Succeeded',
  retried: 'Retried',
  dead: 'DeadLettered',
  discarded: 'Discarded',
  deferred: 'Deferred',
  duplicate: 'Duplicate',
  expired: 'Expired',
  cancelled: 'Cancelled',
} as const;

export type MetricOutcome = keyof typeof OUTCOME_METRICS;

/** Milliseconds from a run's start to its outcome (succeeded or failed), one value per run. */
export const DURATION_METRIC = 'Duration';
/** The attempt a job ended on (succeeded, dead-lettered or discarded), one value per job. */
export const ATTEMPTS_METRIC = 'Attempts';
/** Milliseconds from when a message was due to its run's start, one value per run. */
export const LATENCY_METRIC = 'Latency';

/** EMF units (CloudWatch's MetricDatum units), as the specification spells them. */
export const METRIC_UNITS = {
  count: 'Count',
  milliseconds: 'Milliseconds',
} as const;

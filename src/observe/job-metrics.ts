import { Metrics } from '@aws-lambda-powertools/metrics';
import type { JobEvent, JobEventListener } from '../engine/events.js';
import { logicalQueueOf } from '../job/lanes.js';
import {
  ATTEMPTS_METRIC,
  DEFAULT_METRICS_NAMESPACE,
  DURATION_METRIC,
  LATENCY_METRIC,
  METRIC_UNITS,
  type MetricOutcome,
  OUTCOME_METRICS,
} from './metric-names.js';

export interface JobMetricsOptions {
  /** @default Wharf */
  readonly namespace?: string;
  /** Where each EMF document goes, one JSON line: CloudWatch Logs reads stdout. @default process.stdout */
  readonly write?: (line: string) => void;
  /** @default Date.now: the documents' timestamp */
  readonly nowMs?: () => number;
}

/**
 * EMF takes at most 100 values per metric in one document; Powertools publishes by itself (to its own console) the
 * moment a metric reaches 100, so a document here holds at most 99, and every line goes through `write`.
 */
const VALUES_PER_DOCUMENT = 99;
/** Runs started and not yet ended that are remembered for their duration; beyond, the oldest is forgotten. */
const MAX_OPEN_RUNS = 10_000;

/** One job type's numbers since the last flush. */
class Tally {
  readonly counts: Partial<Record<MetricOutcome, number>> = {};
  readonly durations: number[] = [];
  readonly latencies: number[] = [];
  readonly attempts: number[] = [];

  count(outcome: MetricOutcome): void {
    this.counts[outcome] = (this.counts[outcome] ?? 0) + 1;
  }

  get empty(): boolean {
    return (
      this.durations.length === 0 &&
      this.latencies.length === 0 &&
      this.attempts.length === 0 &&
      Object.keys(this.counts).length === 0
    );
  }
}

/**
 * The per-job-type CloudWatch metrics (README "Metrics"), as EMF documents built by Powertools Metrics: the
 * engine's events are tallied in memory, and `flush` writes one document per job type that ran (more only past
 * 99 values of one metric). The adapter flushes: the Lambda handler once per batch, the worker process every
 * minute and when it stops. Counts are one number per flush, not one per run, so a batch of ten costs about one
 * line per job type, not ten.
 */
export class JobMetrics {
  readonly namespace: string;
  private readonly write: (line: string) => void;
  private readonly nowMs: () => number;
  private readonly tallies = new Map<string, Tally>();
  private readonly open = new Map<string, number>();
  /** One Powertools Metrics per job type: its default dimensions are the type's. */
  private readonly emitters = new Map<string, Metrics>();

  constructor(options: JobMetricsOptions = {}) {
    this.namespace = options.namespace ?? DEFAULT_METRICS_NAMESPACE;
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** The engine's event listener. */
  readonly listener: JobEventListener = (event) => this.record(event);

  record(event: JobEvent): void {
    // A message whose body could not be read has no job type: the queue's dead-letter alarms cover it.
    if (event.jobName === undefined) return;
    const key = keyOf(event.jobName, event.queue);
    const tally = this.tallyOf(key);
    const runKey = event.jobId === undefined ? undefined : `${event.jobId}#${event.attempt ?? 0}`;
    switch (event.type) {
      case 'started':
        tally.latencies.push(Math.round(event.latencyMs));
        if (runKey !== undefined) this.remember(runKey, event.atMs);
        return;
      case 'succeeded':
        if (runKey !== undefined) this.open.delete(runKey);
        tally.count('succeeded');
        tally.durations.push(Math.round(event.durationMs));
        if (event.attempt !== undefined) tally.attempts.push(event.attempt);
        return;
      case 'retrying':
        this.ended(tally, 'retried', runKey, event);
        return;
      case 'dead':
        this.ended(tally, 'dead', runKey, event);
        if (event.attempt !== undefined) tally.attempts.push(event.attempt);
        return;
      case 'discarded':
        this.ended(tally, 'discarded', runKey, event);
        if (event.attempt !== undefined) tally.attempts.push(event.attempt);
        return;
      case 'cancelled':
        this.ended(tally, 'cancelled', runKey, event);
        return;
      case 'deferred':
        // A long delay travels in 15-minute hops (`not-due`): plumbing, not an outcome of the job.
        if (event.why !== 'not-due') tally.count('deferred');
        return;
      case 'duplicate':
        tally.count('duplicate');
        return;
      case 'expired':
        tally.count('expired');
        return;
      case 'released':
      case 'lease-lost':
      case 'sleeping':
        if (runKey !== undefined) this.open.delete(runKey);
        return;
      default:
        return;
    }
  }

  /** Writes what was tallied since the last flush, one EMF document per job type (per 99 values), and forgets it. */
  flush(): void {
    for (const [key, tally] of this.tallies) {
      if (tally.empty) continue;
      const metrics = this.emitterOf(key);
      for (const [outcome, count] of Object.entries(tally.counts) as [MetricOutcome, number][])
        metrics.addMetric(OUTCOME_METRICS[outcome], METRIC_UNITS.count, count);
      const chunks = Math.max(
        1,
        ...[tally.durations, tally.latencies, tally.attempts].map((v) =>
          Math.ceil(v.length / VALUES_PER_DOCUMENT),
        ),
      );
      for (let chunk = 0; chunk < chunks; chunk++) {
        addValues(metrics, DURATION_METRIC, METRIC_UNITS.milliseconds, tally.durations, chunk);
        addValues(metrics, LATENCY_METRIC, METRIC_UNITS.milliseconds, tally.latencies, chunk);
        addValues(metrics, ATTEMPTS_METRIC, METRIC_UNITS.count, tally.attempts, chunk);
        this.publish(metrics);
      }
    }
    this.tallies.clear();
  }

  private publish(metrics: Metrics): void {
    metrics.setTimestamp(this.nowMs());
    const document = metrics.serializeMetrics();
    metrics.clearMetrics();
    if (document._aws.CloudWatchMetrics[0]?.Metrics.length === 0) return;
    try {
      this.write(JSON.stringify(document));
    } catch {
      // metrics must never break a batch: a lost flush is lost numbers, not lost jobs
    }
  }

  private ended(tally: Tally, outcome: MetricOutcome, runKey: string | undefined, event: JobEvent): void {
    tally.count(outcome);
    if (runKey === undefined) return;
    const startedAtMs = this.open.get(runKey);
    if (startedAtMs === undefined) return;
    this.open.delete(runKey);
    tally.durations.push(Math.max(0, Math.round(event.atMs - startedAtMs)));
  }

  private remember(runKey: string, atMs: number): void {
    if (this.open.size >= MAX_OPEN_RUNS) {
      const oldest = this.open.keys().next();
      if (!oldest.done) this.open.delete(oldest.value);
    }
    this.open.set(runKey, atMs);
  }

  private tallyOf(key: string): Tally {
    let tally = this.tallies.get(key);
    if (!tally) {
      tally = new Tally();
      this.tallies.set(key, tally);
    }
    return tally;
  }

  private emitterOf(key: string): Metrics {
    let metrics = this.emitters.get(key);
    if (metrics) return metrics;
    const [jobName = '', queue = ''] = key.split('\n');
    metrics = new Metrics({ namespace: this.namespace });
    // Exactly JobName and Queue: Powertools adds a `service` dimension by default, which the construct's widgets,
    // alarms and `wharf stats` would then have to know too.
    metrics.clearDefaultDimensions();
    metrics.setDefaultDimensions({ JobName: jobName, Queue: queue });
    this.emitters.set(key, metrics);
    return metrics;
  }
}

/** A lane's address (`<queue>/<lane>`) counts as its queue: the job type's series is one per logical queue. */
function keyOf(jobName: string, address: string): string {
  return `${jobName}\n${logicalQueueOf(address)}`;
}

function addValues(
  metrics: Metrics,
  name: string,
  unit: (typeof METRIC_UNITS)[keyof typeof METRIC_UNITS],
  values: readonly number[],
  chunk: number,
): void {
  const end = Math.min(values.length, (chunk + 1) * VALUES_PER_DOCUMENT);
  for (let i = chunk * VALUES_PER_DOCUMENT; i < end; i++) metrics.addMetric(name, unit, values[i] as number);
}

import type { JobEvent } from '../engine/events.js';
import { logicalQueueOf } from '../job/lanes.js';
import type { MetricOutcome } from '../observe/metric-names.js';
import { DurationSketch, type DurationSketchState } from './duration-sketch.js';

/** The width of one bucket: a minute, as CloudWatch's finest standard period. */
export const STATS_BUCKET_MS = 60_000;
/** Buckets kept at most (oldest dropped first): a fortnight of minutes for one job type that runs every minute. */
export const MAX_STATS_BUCKETS = 20_000;
/** Starts kept while waiting for their outcome; beyond it the oldest is forgotten (a run that never ended). */
const MAX_RUNNING = 10_000;
/** Poison messages carry no job name: counted under this one, as the run summary does, never dropped. */
export const UNREADABLE_JOB = '(unreadable message)';

/** One job type on one queue, for one minute of the engine's clock. */
export interface StatsBucket {
  readonly atMs: number;
  readonly job: string;
  readonly queue: string;
  readonly outcomes: Readonly<Partial<Record<MetricOutcome, number>>>;
  readonly durations: DurationSketch;
}

/** The collector's buckets as JSON, for the CLI's saved local state. */
export interface JobStatsState {
  readonly bucketMs: number;
  readonly buckets: readonly {
    readonly atMs: number;
    readonly job: string;
    readonly queue: string;
    readonly outcomes: Readonly<Partial<Record<MetricOutcome, number>>>;
    readonly durations: DurationSketchState;
  }[];
}

interface MutableBucket {
  readonly atMs: number;
  readonly job: string;
  readonly queue: string;
  readonly outcomes: Partial<Record<MetricOutcome, number>>;
  readonly durations: DurationSketch;
}

/** The event types that end a run and count as this outcome metric. */
const OUTCOME_OF: Partial<Record<JobEvent['type'], MetricOutcome>> = {
  succeeded: 'succeeded',
  retrying: 'retried',
  dead: 'dead',
  discarded: 'discarded',
  cancelled: 'cancelled',
  deferred: 'deferred',
  duplicate: 'duplicate',
  expired: 'expired',
};

/**
 * The embedded engine's own per-job-type counts, fed by its events: what the workers' metrics are on AWS. Per job
 * type and queue, per minute of the engine's clock (which may be fast-forwarded: a run is counted at the minute
 * its outcome happened on that clock), the count of each outcome and a DurationSketch of run durations. A
 * success carries its duration; a failed run's is the time from its `started` event to its outcome. Memory is
 * bounded: at most MAX_STATS_BUCKETS buckets, each a few counts and a sketch of bounded size.
 */
export class JobStatsCollector {
  private readonly buckets = new Map<string, MutableBucket>();
  private readonly running = new Map<string, number>();

  /** An event listener: never throws (the engine's safeEmit guards it too). */
  readonly record = (event: JobEvent): void => {
    const key = runKey(event);
    if (event.type === 'started') {
      this.startedAt(key, event.atMs);
      return;
    }
    const startedAtMs = this.running.get(key);
    // Every event after a start ends that run one way or another (an outcome, a sleep, a release, a lost lease).
    if (event.type !== 'progress' && event.type !== 'step') this.running.delete(key);
    const outcome = OUTCOME_OF[event.type];
    // A long delay travels in 15-minute hops: each is plumbing, not a deferral of the job (as in the run summary).
    if (!outcome || (event.type === 'deferred' && event.why === 'not-due')) return;
    const bucket = this.bucketFor(event);
    bucket.outcomes[outcome] = (bucket.outcomes[outcome] ?? 0) + 1;
    if (event.type === 'succeeded') bucket.durations.add(event.durationMs);
    else if (startedAtMs !== undefined) bucket.durations.add(event.atMs - startedAtMs);
  };

  /** Buckets that begin in [sinceMs, untilMs), oldest first. */
  bucketsIn(sinceMs: number, untilMs: number): StatsBucket[] {
    return [...this.buckets.values()]
      .filter((b) => b.atMs >= sinceMs && b.atMs < untilMs)
      .sort((a, b) => a.atMs - b.atMs);
  }

  snapshot(): JobStatsState {
    return {
      bucketMs: STATS_BUCKET_MS,
      buckets: [...this.buckets.values()].map((b) => ({
        atMs: b.atMs,
        job: b.job,
        queue: b.queue,
        outcomes: { ...b.outcomes },
        durations: b.durations.toJSON(),
      })),
    };
  }

  /** Adds a saved state's buckets (a state of another bucket width is left out: its minutes would not line up). */
  restore(state: JobStatsState | undefined): void {
    if (!state || state.bucketMs !== STATS_BUCKET_MS || !Array.isArray(state.buckets)) return;
    for (const saved of state.buckets) {
      // A state file is edited by hand now and then: a bucket that is not one is skipped, not trusted.
      if (!isSavedBucket(saved)) continue;
      const bucket = this.bucketAt(saved.atMs, saved.job, saved.queue);
      for (const [outcome, count] of Object.entries(saved.outcomes) as [MetricOutcome, number][])
        bucket.outcomes[outcome] = (bucket.outcomes[outcome] ?? 0) + count;
      bucket.durations.merge(DurationSketch.from(saved.durations));
    }
  }

  private startedAt(key: string, atMs: number): void {
    if (this.running.size >= MAX_RUNNING) {
      const oldest = this.running.keys().next().value;
      if (oldest !== undefined) this.running.delete(oldest);
    }
    this.running.set(key, atMs);
  }

  private bucketFor(event: JobEvent): MutableBucket {
    const atMs = Math.floor(event.atMs / STATS_BUCKET_MS) * STATS_BUCKET_MS;
    return this.bucketAt(atMs, event.jobName ?? UNREADABLE_JOB, logicalQueueOf(event.queue));
  }

  private bucketAt(atMs: number, job: string, queue: string): MutableBucket {
    const key = `${atMs}\u0000${job}\u0000${queue}`;
    const found = this.buckets.get(key);
    if (found) return found;
    const bucket: MutableBucket = { atMs, job, queue, outcomes: {}, durations: new DurationSketch() };
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_STATS_BUCKETS) this.dropOldest();
    return bucket;
  }

  private dropOldest(): void {
    let oldestKey: string | undefined;
    let oldestAt = Number.POSITIVE_INFINITY;
    for (const [key, bucket] of this.buckets) {
      if (bucket.atMs < oldestAt) {
        oldestAt = bucket.atMs;
        oldestKey = key;
      }
    }
    if (oldestKey !== undefined) this.buckets.delete(oldestKey);
  }
}

/** A run is one attempt of one job: its id and attempt number tie its start to its outcome. */
function runKey(event: JobEvent): string {
  return `${event.jobId ?? ''}\u0000${event.attempt ?? 0}`;
}

function isSavedBucket(value: unknown): value is JobStatsState['buckets'][number] {
  const b = value as Partial<JobStatsState['buckets'][number]> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.atMs === 'number' &&
    typeof b.job === 'string' &&
    typeof b.queue === 'string' &&
    typeof b.outcomes === 'object' &&
    b.outcomes !== null &&
    typeof b.durations === 'object' &&
    b.durations !== null &&
    typeof b.durations.bins === 'object' &&
    b.durations.bins !== null &&
    typeof b.durations.count === 'number' &&
    typeof b.durations.sumMs === 'number' &&
    typeof b.durations.zero === 'number'
  );
}

import { Duration } from 'aws-cdk-lib';
import { type QueueLanes, resolveLanes } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import { FIFO_MAX_BATCH_SIZE, type QueueFacts, VISIBILITY_TIMEOUT_FACTOR } from './config-lint.js';
import type { WharfJobsProps, WharfQueueOptions } from './wharf-jobs-props.js';

/** Lambda's hard limit on a function's timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** SQS keeps a message for at most 14 days. */
const MAX_RETENTION_SECONDS = 1_209_600;
/** Time the worker keeps beyond the longest job: recording the outcome and acknowledging the batch. */
export const WORKER_TIMEOUT_MARGIN_SECONDS = 10;

const DEFAULTS = {
  batchSize: 10,
  maxConcurrency: 20,
  workerMemorySize: 1024,
  maxReceiveCount: 10,
  retention: Duration.days(4),
  deadLetterRetention: Duration.days(14),
  processWorkerVisibility: Duration.minutes(5),
} as const;

/** One queue's settings with every default resolved: the one place defaults live. */
export interface QueueSettings extends QueueFacts {
  /** Always set: a queue wharf creates always has its redrive policy. */
  readonly maxReceiveCount: number;
  readonly workerMemorySize: number;
  /** The job with the longest timeout on the queue, which sets the worker timeout. */
  readonly longestJob: { readonly name: string; readonly timeoutSeconds: number };
  /** maxConcurrency was set, not derived (so a problem with it names the right setting). */
  readonly maxConcurrencySet: boolean;
  /** The queue's priority lanes, when it declares them (README "Priority lanes"). */
  readonly lanes?: QueueLanes;
}

/** Resolves every queue's settings from the registry and the props; reports every problem at once. */
export function resolveQueueSettings(props: WharfJobsProps): {
  settings: QueueSettings[];
  problems: string[];
} {
  const problems = unknownQueues(props);
  const settings = props.registry.queues.map((queue) => {
    const options: WharfQueueOptions = { ...props.queueDefaults, ...props.queues?.[queue] };
    const resolved = resolveQueue(queue, props.registry, options);
    problems.push(...resolved.problems);
    return resolved.settings;
  });
  return { settings, problems };
}

function unknownQueues(props: WharfJobsProps): string[] {
  const known = props.registry.queues;
  return Object.keys(props.queues ?? {})
    .filter((name) => !known.includes(name))
    .map(
      (name) =>
        `queues.${name}: no job runs on queue "${name}" (queues of the registry: ${known.join(', ') || 'none'})`,
    );
}

function resolveQueue(queue: string, registry: JobRegistry, options: WharfQueueOptions) {
  const problems: string[] = [];
  const longestJob = longestJobOn(queue, registry);
  const lambdaWorker = options.lambdaWorker ?? true;
  const timeoutSeconds = lambdaWorker ? workerTimeout(queue, longestJob, options, problems) : 0;
  const window = options.maxBatchingWindow?.toSeconds() ?? 0;
  const reserved = options.reservedConcurrency;
  const worker = lambdaWorker
    ? {
        timeoutSeconds,
        batchSize: options.batchSize ?? DEFAULTS.batchSize,
        maxBatchingWindowSeconds: window,
        reportBatchItemFailures: true,
        maxConcurrency:
          options.maxConcurrency ?? Math.min(DEFAULTS.maxConcurrency, reserved ?? Number.POSITIVE_INFINITY),
        reservedConcurrency: reserved,
      }
    : undefined;
  const visibility = options.visibilityTimeout?.toSeconds() ?? defaultVisibility(worker);
  const lanes = resolveLanes(`queues.${queue}`, options, problems);
  const settings: QueueSettings = {
    queue,
    fifo: options.fifo ?? false,
    visibilityTimeoutSeconds: visibility,
    retentionSeconds: (options.retentionPeriod ?? DEFAULTS.retention).toSeconds(),
    deadLetterRetentionSeconds: (
      options.deadLetterRetentionPeriod ?? DEFAULTS.deadLetterRetention
    ).toSeconds(),
    maxReceiveCount: options.maxReceiveCount ?? DEFAULTS.maxReceiveCount,
    worker,
    workerMemorySize: options.workerMemorySize ?? DEFAULTS.workerMemorySize,
    longestJob,
    maxConcurrencySet: options.maxConcurrency !== undefined,
    ...(lanes ? { lanes } : {}),
  };
  return { settings, problems };
}

function defaultVisibility(worker: QueueFacts['worker']): number {
  if (!worker) return DEFAULTS.processWorkerVisibility.toSeconds();
  return VISIBILITY_TIMEOUT_FACTOR * worker.timeoutSeconds + worker.maxBatchingWindowSeconds;
}

function longestJobOn(queue: string, registry: JobRegistry): QueueSettings['longestJob'] {
  const jobs = registry.jobsOn(queue);
  const longest = jobs.reduce((a, b) => (b.options.timeoutMs > a.options.timeoutMs ? b : a));
  return { name: longest.name, timeoutSeconds: Math.ceil(longest.options.timeoutMs / 1000) };
}

/** The jobs' own timeouts decide the worker's; a job that cannot finish inside Lambda is a problem, not a clamp. */
function workerTimeout(
  queue: string,
  longest: QueueSettings['longestJob'],
  options: WharfQueueOptions,
  problems: string[],
): number {
  const needed = longest.timeoutSeconds + WORKER_TIMEOUT_MARGIN_SECONDS;
  const limit = LAMBDA_MAX_TIMEOUT_SECONDS - WORKER_TIMEOUT_MARGIN_SECONDS;
  if (longest.timeoutSeconds > limit) {
    problems.push(
      `queue "${queue}": job "${longest.name}" has a timeout of ${longest.timeoutSeconds} s, longer than a Lambda worker can run ` +
        `(${limit} s plus a ${WORKER_TIMEOUT_MARGIN_SECONDS} s margin within Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s): shorten the timeout, ` +
        `or set queues.${queue}.lambdaWorker to false and run the queue with the long-running worker process (wharf-jobs/worker)`,
    );
    return LAMBDA_MAX_TIMEOUT_SECONDS;
  }
  const chosen = options.workerTimeout?.toSeconds() ?? needed;
  if (chosen < needed) {
    problems.push(
      `queue "${queue}": worker timeout ${chosen} s is shorter than job "${longest.name}"'s timeout ${longest.timeoutSeconds} s + ` +
        `${WORKER_TIMEOUT_MARGIN_SECONDS} s margin, so Lambda would kill the job before it can record an outcome: ` +
        `set workerTimeout to at least ${needed} s, or leave it unset to derive it`,
    );
  } else if (chosen > LAMBDA_MAX_TIMEOUT_SECONDS) {
    problems.push(
      `queue "${queue}": worker timeout ${chosen} s is above Lambda's limit of ${LAMBDA_MAX_TIMEOUT_SECONDS} s: lower workerTimeout`,
    );
    return LAMBDA_MAX_TIMEOUT_SECONDS;
  }
  return chosen;
}

/** Range checks that AWS or CDK would otherwise reject one at a time, with a less specific message. */
export function rangeProblems(settings: QueueSettings): string[] {
  const { queue, worker, fifo } = settings;
  const problems: string[] = [];
  if (worker?.maxConcurrency !== undefined && (worker.maxConcurrency < 2 || worker.maxConcurrency > 1000)) {
    // Derived from a reserved concurrency below 2: name the setting the user chose, not the one wharf derived.
    const derived = !settings.maxConcurrencySet && worker.reservedConcurrency !== undefined;
    problems.push(
      derived
        ? `queue "${queue}": reservedConcurrency ${worker.reservedConcurrency} is below 2, the least an SQS event source's ` +
            'maximum concurrency can be, and that maximum must stay within the reserved concurrency: reserve at least 2'
        : `queue "${queue}": maxConcurrency ${worker.maxConcurrency} is outside 2-1000: choose a value in that range`,
    );
  }
  if (worker && !fifo && worker.maxBatchingWindowSeconds === 0 && worker.batchSize > FIFO_MAX_BATCH_SIZE) {
    problems.push(
      `queue "${queue}": batch size ${worker.batchSize} above 10 needs a batching window: set maxBatchingWindow`,
    );
  }
  for (const [field, seconds] of [
    ['retentionPeriod', settings.retentionSeconds],
    ['deadLetterRetentionPeriod', settings.deadLetterRetentionSeconds],
  ] as const) {
    if (seconds < 60 || seconds > MAX_RETENTION_SECONDS) {
      problems.push(
        `queue "${queue}": ${field} ${seconds} s is outside SQS's 60 s-14 days: choose a value in that range`,
      );
    }
  }
  if (settings.visibilityTimeoutSeconds > 43_200) {
    problems.push(
      `queue "${queue}": visibility timeout ${settings.visibilityTimeoutSeconds} s is above the SQS limit of 12 hours`,
    );
  }
  return problems;
}

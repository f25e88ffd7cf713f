import { ConfigError } from '../errors.js';

/**
 * The synth-time configuration lint (DESIGN invariant 6): settings that lose messages or let them reach the
 * dead-letter queue unprocessed do not deploy. The rules read plain facts, so the same rules check the resolved
 * props before any resource exists and the synthesized resources after escape-hatch edits.
 */

/** What the rules need to know about one queue, its dead-letter queue and its worker, in seconds. */
export interface QueueFacts {
  readonly queue: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly deadLetterRetentionSeconds: number;
  /** Undefined when the queue has no redrive policy (an escape-hatch edit removed it). */
  readonly maxReceiveCount: number | undefined;
  /** Absent when no Lambda worker serves the queue. */
  readonly worker?: WorkerFacts;
}

export interface WorkerFacts {
  readonly timeoutSeconds: number;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly reportBatchItemFailures: boolean;
  readonly maxConcurrency?: number;
  readonly reservedConcurrency?: number;
}

/** The smallest maxReceiveCount that survives throttling bursts (reliability-anchors §2). */
export const MIN_MAX_RECEIVE_COUNT = 5;
/** AWS's advice for SQS event sources: visibility ≥ 6 × function timeout + batching window. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Lambda takes at most 10 messages from a FIFO queue per batch. */
export const FIFO_MAX_BATCH_SIZE = 10;

type Rule = (facts: QueueFacts) => string | undefined;

const visibilityCoversRetries: Rule = ({ queue, visibilityTimeoutSeconds, worker }) => {
  if (!worker) return undefined;
  const needed = VISIBILITY_TIMEOUT_FACTOR * worker.timeoutSeconds + worker.maxBatchingWindowSeconds;
  if (visibilityTimeoutSeconds >= needed) return undefined;
  return (
    `queue "${queue}": visibility timeout ${visibilityTimeoutSeconds} s is below ${VISIBILITY_TIMEOUT_FACTOR} × worker timeout ` +
    `${worker.timeoutSeconds} s + batching window ${worker.maxBatchingWindowSeconds} s = ${needed} s, so a message can be ` +
    `delivered again while its first delivery still runs: set visibilityTimeout to at least ${needed} s, or leave it unset to derive it`
  );
};

const enoughReceives: Rule = ({ queue, maxReceiveCount }) => {
  if (maxReceiveCount === undefined) {
    return (
      `queue "${queue}": it has no redrive policy, so a message that fails every delivery (one that crashes its worker) ` +
      'is received again until its retention ends and never reaches the dead-letter queue: keep the redrive policy ' +
      'WharfJobs sets (it was removed from the template)'
    );
  }
  return maxReceiveCount >= MIN_MAX_RECEIVE_COUNT
    ? undefined
    : `queue "${queue}": maxReceiveCount ${maxReceiveCount} is below ${MIN_MAX_RECEIVE_COUNT}, so throttled deliveries that never ran ` +
        `can move a message to the dead-letter queue: set maxReceiveCount to ${MIN_MAX_RECEIVE_COUNT} or more`;
};

const partialBatchResponses: Rule = ({ queue, worker }) =>
  !worker || worker.reportBatchItemFailures
    ? undefined
    : `queue "${queue}": the event source mapping does not report batch item failures, so one failed record retries (or ` +
      `deletes) the whole batch: keep FunctionResponseTypes ["ReportBatchItemFailures"] on the mapping`;

const concurrencyWithinReserved: Rule = ({ queue, worker }) => {
  if (worker?.reservedConcurrency === undefined) return undefined;
  const { maxConcurrency, reservedConcurrency } = worker;
  if (maxConcurrency !== undefined && maxConcurrency <= reservedConcurrency) return undefined;
  return (
    `queue "${queue}": maximum concurrency ${maxConcurrency ?? 'unlimited'} exceeds reserved concurrency ${reservedConcurrency}, so ` +
    `Lambda throttles deliveries and burns their receive counts: set maxConcurrency to at most ${reservedConcurrency}` +
    (reservedConcurrency < 2 ? ' (the minimum is 2, so reserve at least 2)' : '')
  );
};

const fifoBatchSize: Rule = ({ queue, fifo, worker }) =>
  !fifo || !worker || worker.batchSize <= FIFO_MAX_BATCH_SIZE
    ? undefined
    : `queue "${queue}": batch size ${worker.batchSize} is above ${FIFO_MAX_BATCH_SIZE}, the most Lambda takes from a FIFO queue: ` +
      `set batchSize to ${FIFO_MAX_BATCH_SIZE} or less`;

const fifoNoWindow: Rule = ({ queue, fifo, worker }) =>
  !fifo || !worker || worker.maxBatchingWindowSeconds === 0
    ? undefined
    : `queue "${queue}": batching window ${worker.maxBatchingWindowSeconds} s is set on a FIFO queue, which does not support one: ` +
      `remove maxBatchingWindow`;

const deadLettersOutliveSource: Rule = ({ queue, retentionSeconds, deadLetterRetentionSeconds }) =>
  deadLetterRetentionSeconds > retentionSeconds
    ? undefined
    : `queue "${queue}": dead-letter retention ${deadLetterRetentionSeconds} s is not longer than the queue's retention ` +
      `${retentionSeconds} s; a standard queue keeps a message's first enqueue time when it moves it, so ` +
      `dead letters would expire early: make deadLetterRetentionPeriod longer than retentionPeriod (at most 14 days, so keep retentionPeriod below it)`;

const RULES: readonly Rule[] = [
  visibilityCoversRetries,
  enoughReceives,
  partialBatchResponses,
  concurrencyWithinReserved,
  fifoBatchSize,
  fifoNoWindow,
  deadLettersOutliveSource,
];

/** Every problem of every queue, in queue order; empty when the configuration is safe. */
export function lintQueues(queues: readonly QueueFacts[]): string[] {
  return queues.flatMap((facts) =>
    RULES.map((rule) => rule(facts)).filter((p): p is string => p !== undefined),
  );
}

/** One error that lists every problem, so a user fixes them in one pass. */
export function configurationError(problems: readonly string[]): ConfigError {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new ConfigError(
    `wharf: invalid job infrastructure (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

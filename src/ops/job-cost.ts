import type { IdempotencyMode } from '../job/types.js';
import { PRICES } from './prices.js';
import type { JobCost } from './stats-types.js';

/** The WharfJobs construct's default `workerMemorySize` (src/cdk/queue-settings.ts), MB. */
export const DEFAULT_WORKER_MEMORY_MB = 1024;
/** Records per Lambda invocation: the event source mapping's batch of up to 10, as the construct configures it. */
const LAMBDA_BATCH = 10;
/**
 * DynamoDB write units per run by idempotency mode, as the benchmark measured them (rows [1] to [6] of
 * README "Performance and cost"): `off` writes nothing, `tracked` one record write, `exactly-once` the claim and
 * the completion.
 */
export const WRITE_UNITS_PER_RUN: Readonly<Record<IdempotencyMode, number>> = {
  off: 0,
  tracked: 1,
  'exactly-once': 2,
};

export interface CostInputs {
  /** The mean run duration measured in the window, ms. */
  readonly meanDurationMs: number;
  readonly memoryMb: number;
  /** Where the memory size comes from, in words (the function's configuration, or the construct's default). */
  readonly memorySource: string;
  /** @default 'tracked' (the default mode of a job), said so in the basis */
  readonly idempotency?: IdempotencyMode;
  /** Share of runs that waited in an EventBridge Scheduler schedule (delays beyond 15 minutes). @default 0, said so */
  readonly scheduledShare?: number;
}

/**
 * What 1,000 runs of a job cost at the list prices of PRICES (no free tier), from what each run uses:
 * - SQS: its send (one request for a body up to 64 KB; every further 64 KB is one request more, not counted:
 *   the metrics do not carry payload sizes), and its share of the receive and the delete of a Lambda batch of 10.
 *   A send of `enqueueMany` is shared by 10 jobs; counted as one-by-one, the upper figure.
 * - Lambda: its share of an invocation (a batch of 10) and GB-seconds at the function's memory size for the mean
 *   duration. The records of a batch run side by side, so a batch is billed less than the sum of its runs: this
 *   is the upper figure too.
 * - DynamoDB: write units by idempotency mode (WRITE_UNITS_PER_RUN). A failed run writes 1 index unit more and
 *   its next claim 1 more; limits, unique keys and steps add theirs (README "Performance and cost"): not counted.
 * - Scheduler: one invocation for each run that waited beyond 15 minutes.
 */
export function costPer1000Runs(inputs: CostInputs): JobCost {
  const runs = 1000;
  const perMillion = (units: number, usdPerMillion: number) => (units * runs * usdPerMillion) / 1_000_000;
  const sqsRequests = 1 + 2 / LAMBDA_BATCH;
  const mode = inputs.idempotency ?? 'tracked';
  const scheduledShare = inputs.scheduledShare ?? 0;
  const gbSeconds = (inputs.memoryMb / 1024) * (inputs.meanDurationMs / 1000);
  const sqs = perMillion(sqsRequests, PRICES.sqs.usdPerMillionRequests);
  const lambda =
    perMillion(1 / LAMBDA_BATCH, PRICES.lambda.usdPerMillionRequests) +
    gbSeconds * runs * PRICES.lambda.usdPerGbSecondX86;
  const dynamodb = perMillion(WRITE_UNITS_PER_RUN[mode], PRICES.dynamodb.usdPerMillionWriteUnits);
  const scheduler = perMillion(scheduledShare, PRICES.scheduler.usdPerMillionInvocations);
  const basis = [
    `SQS ${sqsRequests.toFixed(1)} requests per run (one send, the receive and delete of a batch of ${LAMBDA_BATCH}; bodies up to 64 KB)`,
    `Lambda 1/${LAMBDA_BATCH} invocation and ${inputs.memoryMb} MB (${inputs.memorySource}) for the mean duration of ${round(inputs.meanDurationMs)} ms`,
    `DynamoDB ${WRITE_UNITS_PER_RUN[mode]} write unit${WRITE_UNITS_PER_RUN[mode] === 1 ? '' : 's'} per run (idempotency ${mode}${inputs.idempotency ? '' : ', assumed: the job is not in the registry'})`,
    inputs.scheduledShare === undefined
      ? 'Scheduler 0 (the share of runs that waited beyond 15 minutes is not known)'
      : `Scheduler 1 invocation for ${round(scheduledShare * 100)}% of runs`,
  ].join('; ');
  return { sqs, lambda, dynamodb, scheduler, total: sqs + lambda + dynamodb + scheduler, basis };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

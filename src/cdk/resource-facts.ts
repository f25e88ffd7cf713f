import { type IResolvable, Stack, Token } from 'aws-cdk-lib';
import {
  CfnEventSourceMapping,
  type CfnFunction,
  type Function as LambdaFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { MIN_MAX_RECEIVE_COUNT, type QueueFacts, type WorkerFacts } from './config-lint.js';

export interface QueueResources {
  readonly queueName: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker?: LambdaFunction;
}

// CloudFormation's defaults for properties left out of the template.
const SQS_DEFAULT_VISIBILITY_SECONDS = 30;
const SQS_DEFAULT_RETENTION_SECONDS = 345_600;
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;

/**
 * Reads the lint's facts back from the L1 resources as they will be synthesized, so an escape-hatch edit
 * (`node.defaultChild`) is checked like a prop. Values that are tokens cannot be judged and count as absent.
 */
export function factsFromResources({
  queueName,
  queue,
  deadLetterQueue,
  worker,
}: QueueResources): QueueFacts {
  const cfnQueue = queue.node.defaultChild as CfnQueue;
  const cfnDeadLetters = deadLetterQueue.node.defaultChild as CfnQueue;
  const redrive = plain<{ maxReceiveCount?: number }>(cfnQueue.redrivePolicy);
  return {
    queue: queueName,
    fifo: plain<boolean>(cfnQueue.fifoQueue) === true,
    visibilityTimeoutSeconds: num(cfnQueue.visibilityTimeout) ?? SQS_DEFAULT_VISIBILITY_SECONDS,
    retentionSeconds: num(cfnQueue.messageRetentionPeriod) ?? SQS_DEFAULT_RETENTION_SECONDS,
    deadLetterRetentionSeconds: num(cfnDeadLetters.messageRetentionPeriod) ?? SQS_DEFAULT_RETENTION_SECONDS,
    // No redrive policy reads as undefined, which the lint reports as such (not as "maxReceiveCount 0"). A count
    // that is a token cannot be judged and counts as the smallest allowed.
    maxReceiveCount:
      cfnQueue.redrivePolicy === undefined
        ? undefined
        : (num(redrive?.maxReceiveCount) ?? MIN_MAX_RECEIVE_COUNT),
    worker: worker ? workerFacts(worker, queue) : undefined,
  };
}

/** The worker's facts as seen from `queue`: its event source mapping of that queue (one per lane). */
function workerFacts(worker: LambdaFunction, queue: Queue): WorkerFacts {
  const fn = worker.node.defaultChild as CfnFunction;
  const mappings = worker.node
    .findAll()
    .filter((c): c is CfnEventSourceMapping => c instanceof CfnEventSourceMapping);
  const stack = Stack.of(worker);
  const arn = JSON.stringify(stack.resolve(queue.queueArn));
  const mapping =
    mappings.find((m) => JSON.stringify(stack.resolve(m.eventSourceArn)) === arn) ?? mappings[0];
  const scaling = plain<{ maximumConcurrency?: number }>(mapping?.scalingConfig);
  const responseTypes = plain<string[]>(mapping?.functionResponseTypes) ?? [];
  return {
    timeoutSeconds: num(fn.timeout) ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS,
    batchSize: num(mapping?.batchSize) ?? 10,
    maxBatchingWindowSeconds: num(mapping?.maximumBatchingWindowInSeconds) ?? 0,
    reportBatchItemFailures: mapping !== undefined && responseTypes.includes('ReportBatchItemFailures'),
    maxConcurrency: num(scaling?.maximumConcurrency),
    reservedConcurrency: num(fn.reservedConcurrentExecutions),
  };
}

function plain<T>(value: T | IResolvable | undefined): T | undefined {
  return value === undefined || Token.isUnresolved(value) ? undefined : (value as T);
}

function num(value: number | IResolvable | undefined): number | undefined {
  const resolved = plain(value);
  return typeof resolved === 'number' ? resolved : undefined;
}

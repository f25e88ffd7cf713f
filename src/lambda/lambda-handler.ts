import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Clock } from '../clock.js';
import { DEFAULT_CONCURRENCY } from '../engine/concurrency.js';
import { createEngine } from '../engine/engine.js';
import type { EngineOptions } from '../engine/types.js';
import { ConfigError, InvalidEventError, InvalidOptionsError } from '../errors.js';
import type { Consumer, Transport } from '../transport/types.js';
import type {
  LambdaWorkerHandler,
  SqsBatchHandler,
  SqsBatchMiddleware,
  SqsBatchRequest,
} from './middleware-types.js';
import { concurrencyProblem, processBatch } from './process-batch.js';

export interface LambdaWorkerOptions extends EngineOptions {
  /** The logical queue this function serves (one function per queue). */
  readonly queue: string;
  /**
   * The queue's priority lanes by SQS queue name (the last part of a record's eventSourceARN) to their address
   * (`<queue>/<lane>`): a record from a lane's queue runs as that lane's, so its retries and dead letter stay in
   * it. `createLambdaWorkerFromEnv` derives it from the lanes' URLs. @default none: every record is the queue's
   */
  readonly laneQueues?: Readonly<Record<string, string>>;
  /** Records of one batch that run at once, 1 to 1000. @default 10 */
  readonly concurrency?: number;
  /**
   * What makes a FIFO record that waits in place (a retry, a deferral) visible again after its delay
   * (ChangeMessageVisibility). @default the transport, when it is also a Consumer (the SQS transport is)
   */
  readonly visibility?: Pick<Consumer, 'changeVisibility'>;
}

/**
 * The plain batch handler, without middy: the event's records through the engine, answered with a partial batch
 * response. Built once per module (clients, engine); nothing about an invocation is kept outside the call.
 *
 * @example
 * export const handler = createBatchHandler({ registry, queue: 'default', transport, store });
 */
export function createBatchHandler(options: LambdaWorkerOptions): SqsBatchHandler {
  const served = options.registry.jobsOn(options.queue);
  if (served.length === 0) {
    throw new ConfigError(
      `No job runs on queue "${options.queue}". Queues in the registry: ${options.registry.queues.join(', ') || '(none)'}.`,
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const problem = concurrencyProblem(concurrency);
  if (problem) throw new InvalidOptionsError('Lambda worker options', [problem]);
  const engine = createEngine(options);
  const visibility = options.visibility ?? consumerOf(options.transport);
  const metrics = options.metrics;
  return async (event, context) => {
    const records = sqsRecordsOf(event);
    try {
      return await processBatch(engine, records, {
        queue: options.queue,
        ...(options.laneQueues ? { laneQueues: options.laneQueues } : {}),
        concurrency,
        deadlineMs: deadlineOf(context, options.clock),
        ...(visibility ? { visibility } : {}),
      });
    } finally {
      // Once per batch (README "Metrics"): one EMF document per job type that ran, before Lambda freezes the
      // process, so nothing tallied waits in a frozen sandbox for an invocation that may never come.
      metrics?.flush();
    }
  };
}

/**
 * The event's records, once it is known to be an SQS event: every record an object with a message id, the one
 * thing a partial batch response can name. Anything else throws InvalidEventError before a record runs, rather
 * than a TypeError midway or a response Lambda would read as "the whole batch failed" anyway.
 */
function sqsRecordsOf(event: unknown): SQSRecord[] {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  if (typeof event !== 'object' || event === null || !Array.isArray(records)) {
    throw new InvalidEventError(
      `The wharf worker was invoked with ${describe(event)}, not an SQS event ({ Records: [...] }): is the function triggered by anything but its queue?`,
    );
  }
  const unnamed = records.findIndex(
    (r) =>
      typeof r !== 'object' ||
      r === null ||
      typeof (r as SQSRecord).messageId !== 'string' ||
      (r as SQSRecord).messageId === '',
  );
  if (unnamed !== -1) {
    throw new InvalidEventError(
      `Record ${unnamed} of the event is not an SQS record (${describe(records[unnamed])} without a messageId): a partial batch response could not name it.`,
    );
  }
  return records as SQSRecord[];
}

function consumerOf(transport: Transport): Pick<Consumer, 'changeVisibility'> | undefined {
  const candidate = transport as Partial<Consumer>;
  return typeof candidate.changeVisibility === 'function'
    ? (candidate as Pick<Consumer, 'changeVisibility'>)
    : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * The batch handler as a middy handler: add your own middlewares with `.use(...)`; their `before` runs before the
 * batch and their `after` sees its partial batch response.
 *
 * @example
 * export const handler = createLambdaHandler({ registry, queue: 'default', transport, store }).use(myMiddleware);
 */
export function createLambdaHandler(options: LambdaWorkerOptions): LambdaWorkerHandler {
  const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(createBatchHandler(options));
  return handler as unknown as LambdaWorkerHandler;
}

/**
 * The batch as a middleware, for a middy chain of your own that has no handler: the batch runs in this
 * middleware's `after` and sets the partial batch response there. Not in `before`: middy skips every `after`
 * middleware once a `before` answers early, which would silence what others do afterwards (a logger, a metrics
 * flush). middy runs `after` middlewares innermost first, so use this one last: the middlewares used before it
 * wrap the batch and see its response. The worker's options are checked and its engine built once, here.
 *
 * @example
 * export const handler = middy().use(injectLambdaContext(logger)).use(runJobs({ registry, queue, transport, store }));
 */
export function runJobs(options: LambdaWorkerOptions): SqsBatchMiddleware {
  const batch = createBatchHandler(options);
  const runJobsAfter = async (request: SqsBatchRequest): Promise<void> => {
    request.response = await batch(request.event, request.context);
  };
  return { name: 'wharf-run-jobs', after: runJobsAfter };
}

/** Lambda reports 0 ms in its last moments: that means "stop now", never "no deadline". */
function deadlineOf(context: Context | undefined, clock: Clock | undefined): number | undefined {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return undefined;
  const now = clock ? clock.nowMs() : Date.now();
  return now + Math.max(0, context.getRemainingTimeInMillis());
}

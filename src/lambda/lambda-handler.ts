import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createEngine } from '../engine/engine.js';
import type { EngineOptions } from '../engine/types.js';
import { ConfigError, InvalidOptionsError } from '../errors.js';
import { concurrencyProblem, processBatch } from './process-batch.js';

export interface LambdaWorkerOptions extends EngineOptions {
  /** The logical queue this function serves (one function per queue). */
  readonly queue: string;
  /** Records of one batch that run at once, 1 to 1000. @default 10 */
  readonly concurrency?: number;
}

export type LambdaWorkerHandler = MiddyfiedHandler<SQSEvent, SQSBatchResponse, Error, Context>;

/**
 * A middy handler for an SQS event source with ReportBatchItemFailures. Built once per module (clients, engine);
 * nothing about an invocation is kept outside the request. Add your own middlewares with `.use(...)`.
 *
 * @example
 * export const handler = createLambdaHandler({ registry, queue: 'default', transport, store });
 */
export function createLambdaHandler(options: LambdaWorkerOptions): LambdaWorkerHandler {
  const served = options.registry.jobsOn(options.queue);
  if (served.length === 0) {
    throw new ConfigError(
      `No job runs on queue "${options.queue}". Queues in the registry: ${options.registry.queues.join(', ') || '(none)'}.`,
    );
  }
  const concurrency = options.concurrency ?? 10;
  const problem = concurrencyProblem(concurrency);
  if (problem) throw new InvalidOptionsError('Lambda worker options', [problem]);
  const engine = createEngine(options);
  const clock = options.clock;
  return middy<SQSEvent, SQSBatchResponse, Error, Context>().handler(async (event, context) => {
    const now = clock ? clock.nowMs() : Date.now();
    const remaining =
      typeof context?.getRemainingTimeInMillis === 'function'
        ? context.getRemainingTimeInMillis()
        : undefined;
    // Lambda reports 0 ms in its last moments: that means "stop now", never "no deadline".
    const deadlineMs = remaining === undefined ? undefined : now + Math.max(0, remaining);
    return processBatch(engine, event.Records ?? [], { queue: options.queue, concurrency, deadlineMs });
  });
}

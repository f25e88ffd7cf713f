import type { SQSEvent } from 'aws-lambda';
import type { QueuePair } from './aws/emulator';
import { type BatchHandler, type Delivery, deliver } from './aws/esm';
import type { RequestLog } from './aws/request-log';
import { addTimings, type Timing, timed, ZERO_TIMING } from './stats';

/** One-by-one: a request per job, awaited in turn. Bulk: the producer hands every job of a wave over at once. */
export type Producer = 'one-by-one' | 'bulk';

/** One side (wharf in a mode, or the baseline) wired to the emulator: a producer, a queue, a worker handler. */
export interface Rig {
  readonly label: string;
  readonly queue: QueuePair;
  /** DynamoDB tables the worker writes, for the write-unit read-back. */
  readonly tables: readonly string[];
  readonly log: RequestLog;
  readonly handler: BatchHandler;
  /** The event source mapping's client (logged as `esm`). */
  readonly esmSqs: Parameters<typeof deliver>[0];
  enqueue(count: number, producer: Producer): Promise<void>;
}

export interface ScenarioResult {
  readonly jobs: number;
  readonly enqueue: Timing;
  readonly invocations: number;
  readonly handler: Timing;
}

/**
 * Enqueues and delivers `jobs` in waves of `wave`: each wave is enqueued, then drained through the handler. Waves
 * keep moto's queue short (its SQS costs time in proportion to queue length); they change no request count.
 */
export async function runScenario(
  rig: Rig,
  options: { readonly jobs: number; readonly wave: number; readonly producer: Producer },
): Promise<ScenarioResult> {
  let enqueue = ZERO_TIMING;
  let handler = ZERO_TIMING;
  let invocations = 0;
  for (let done = 0; done < options.jobs; ) {
    const count = Math.min(options.wave, options.jobs - done);
    enqueue = addTimings(enqueue, await timed(() => rig.enqueue(count, options.producer)));
    const delivery: Delivery = await deliver(rig.esmSqs, rig.queue, rig.handler, count);
    handler = addTimings(handler, delivery.handler);
    invocations += delivery.invocations;
    done += count;
  }
  return { jobs: options.jobs, enqueue, invocations, handler };
}

/** A handler with its I/O taken out, and events for it (built outside the timed part). */
export interface InMemoryWorker {
  readonly label: string;
  /** A fresh handler with empty stores: exactly-once claims must all be first claims. */
  handlerForRun(): BatchHandler;
  events(count: number): Promise<SQSEvent[]>;
}

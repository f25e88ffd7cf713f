import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { wholeNumberProblem } from '../config/whole-number.js';
import { type Settlement, settleMessages } from '../engine/settle-messages.js';
import type { Engine, ProcessOptions } from '../engine/types.js';
import { InvalidOptionsError } from '../errors.js';
import type { ReceivedMessage } from '../transport/types.js';
import { toReceivedMessage } from './to-received.js';

export interface BatchOptions extends ProcessOptions {
  readonly queue: string;
  /** The queue's lanes by SQS queue name (see LambdaWorkerOptions.laneQueues). */
  readonly laneQueues?: Readonly<Record<string, string>>;
  /** Records run at once: 1 to MAX_BATCH_CONCURRENCY. */
  readonly concurrency: number;
}

export const MAX_BATCH_CONCURRENCY = 1000;

/** Problems with a batch concurrency: checked at start-up by the handler, and again here (processBatch is public). */
export function concurrencyProblem(concurrency: number): string | undefined {
  return wholeNumberProblem('concurrency', concurrency, 1, MAX_BATCH_CONCURRENCY);
}

/**
 * Runs a batch through the engine and answers with a partial batch response: only released records are
 * reported, so the rest are deleted by Lambda. A FIFO batch runs in order and stops at the first record that
 * comes back, reporting it and every record after it (AWS's rule for FIFO partial responses).
 */
export async function processBatch(
  engine: Engine,
  records: readonly SQSRecord[],
  options: BatchOptions,
): Promise<SQSBatchResponse> {
  // A bad concurrency must throw (Lambda retries the whole batch), never run nothing and report no failures,
  // which would have Lambda delete every record unrun.
  const problem = concurrencyProblem(options.concurrency);
  if (problem) throw new InvalidOptionsError('batch options', [problem]);
  const ordered = records.some(
    (r) => typeof r.eventSourceARN === 'string' && r.eventSourceARN.endsWith('.fifo'),
  );
  const messages = records.map((record) => toReceivedMessage(record, queueOf(record, options)));
  const settlement = new PartialBatchResponse();
  await settleMessages(engine, messages, settlement, {
    process: options,
    concurrency: options.concurrency,
    ordered,
  });
  return { batchItemFailures: settlement.failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * The address a record runs under: its lane's, when it came from a lane's queue (each lane has its own event source
 * mapping, so one batch is one lane), so its retry, deferral or dead letter stays in that lane.
 */
function queueOf(record: SQSRecord, options: BatchOptions): string {
  const lanes = options.laneQueues;
  if (!lanes || typeof record.eventSourceARN !== 'string') return options.queue;
  const name = record.eventSourceARN.slice(record.eventSourceARN.lastIndexOf(':') + 1);
  return Object.hasOwn(lanes, name) ? lanes[name]! : options.queue;
}

/**
 * Lambda deletes what the response does not name: an ack is nothing to do here, a release is reported. A class
 * rather than a literal of closures, which cost a function object each per batch.
 */
class PartialBatchResponse implements Settlement {
  readonly failed: string[] = [];

  ack(): undefined {
    return undefined;
  }

  release(message: ReceivedMessage): undefined {
    // SQS never sends one message twice in a batch, but a hand-made event may: Lambda reads an id listed twice as
    // an invalid response (the whole batch fails), so each is named once.
    if (!this.failed.includes(message.messageId)) this.failed.push(message.messageId);
    return undefined;
  }
}

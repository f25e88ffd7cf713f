import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { pollOnce } from '../../test/helpers/esm';
import { addTimings, type Timing, timed, ZERO_TIMING } from '../stats';
import type { QueuePair } from './emulator';

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What Lambda's event source mapping did for one wave, and the time spent inside the handler alone. */
export interface Delivery {
  readonly invocations: number;
  readonly records: number;
  /** Inside handler invocations only: the mapping's own receives and deletes are Lambda's work, not the code's. */
  readonly handler: Timing;
}

/**
 * Plays the event source mapping (batch size 10) until `expected` records were handled, with the test suite's
 * in-process mapping (test/helpers/esm.ts): receive, invoke, delete what the partial batch response did not list.
 * The bench runs only happy paths, so a reported failure or a lost message stops the run instead of being retried.
 */
export async function deliver(
  sqs: SQSClient,
  queue: QueuePair,
  handler: BatchHandler,
  expected: number,
): Promise<Delivery> {
  let handlerTime = ZERO_TIMING;
  let invocations = 0;
  let records = 0;
  let emptyPolls = 0;
  const timedHandler: BatchHandler = async (event, context) => {
    const run = await timed(() => handler(event, context));
    handlerTime = addTimings(handlerTime, run);
    invocations++;
    return run.value;
  };
  while (records < expected) {
    const poll = await pollOnce({ sqs, queueUrl: queue.url, queueArn: queue.arn, handler: timedHandler });
    const failures = poll.response?.batchItemFailures ?? [];
    if (failures.length > 0) throw new Error(`the handler reported ${failures.length} failed records`);
    records += poll.records.length;
    emptyPolls = poll.records.length === 0 ? emptyPolls + 1 : 0;
    if (emptyPolls > 3) throw new Error(`only ${records} of ${expected} messages arrived`);
  }
  return { invocations, records, handler: handlerTime };
}

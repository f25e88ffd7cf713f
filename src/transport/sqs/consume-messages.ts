import { TransportError } from '../../errors.js';
import { SQS_LIMITS, validateReceiveOptions, validateVisibilityTimeout } from '../message-limits.js';
import type { AckFailure, ReceivedMessage, ReceiveOptions } from '../types.js';
import { type EntryResult, entryResults, requestFailed } from './batch-result.js';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from './sqs-api.js';

export interface QueueTarget {
  readonly client: SQSClient;
  /** The logical name, put on every received message. */
  readonly queue: string;
  readonly queueUrl: string;
  /** Received messages are marked `fifo` (their retries wait in place). @default false */
  readonly fifo?: boolean;
}

/** One long poll. An aborted poll (shutdown) returns no messages rather than throwing. */
export async function receiveMessages(
  target: QueueTarget,
  options: ReceiveOptions,
): Promise<ReceivedMessage[]> {
  validateReceiveOptions(options);
  const { signal } = options;
  if (signal?.aborted) return [];
  try {
    const response = await target.client.send(
      new ReceiveMessageCommand({
        QueueUrl: target.queueUrl,
        MaxNumberOfMessages: options.maxMessages,
        WaitTimeSeconds: options.waitTimeSeconds,
        VisibilityTimeout: options.visibilityTimeoutSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'MessageGroupId'],
      }),
      { abortSignal: signal },
    );
    return (response.Messages ?? []).flatMap((message) => toReceived(target, message));
  } catch (error) {
    if (signal?.aborted) return [];
    throw new TransportError(`ReceiveMessage on queue "${target.queue}" failed`, {
      cause: error,
    });
  }
}

function toReceived(target: QueueTarget, message: Message): ReceivedMessage[] {
  // Without an id and a receipt handle a message can be neither tracked nor acknowledged; SQS always sends both.
  if (!message.MessageId || !message.ReceiptHandle) return [];
  const groupId = message.Attributes?.MessageGroupId;
  return [
    {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body ?? '',
      queue: target.queue,
      attributes: stringAttributes(message.MessageAttributes),
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
      ...(groupId === undefined ? {} : { groupId }),
      ...(target.fifo ? { fifo: true } : {}),
    },
  ];
}

/** String and Number attributes as strings; binary attributes are not ours (we only send String). */
function stringAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value.StringValue !== undefined) result[name] = value.StringValue;
  }
  return result;
}

/** DeleteMessageBatch in chunks of 10; returns every entry that was not confirmed deleted. */
export function deleteMessages(
  target: QueueTarget,
  receiptHandles: readonly string[],
): Promise<AckFailure[]> {
  return inChunks(receiptHandles, async (handles, ids) => {
    const response = await target.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: target.queueUrl,
        Entries: handles.map((handle, i) => ({ Id: ids[i], ReceiptHandle: handle })),
      }),
    );
    return entryResults(ids, response.Successful, response.Failed, () => undefined);
  });
}

/** ChangeMessageVisibilityBatch in chunks of 10; returns every entry that was not confirmed changed. */
export function changeVisibility(
  target: QueueTarget,
  receiptHandles: readonly string[],
  visibilityTimeoutSeconds: number,
): Promise<AckFailure[]> {
  validateVisibilityTimeout(visibilityTimeoutSeconds);
  return inChunks(receiptHandles, async (handles, ids) => {
    const response = await target.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: target.queueUrl,
        Entries: handles.map((handle, i) => ({
          Id: ids[i],
          ReceiptHandle: handle,
          VisibilityTimeout: visibilityTimeoutSeconds,
        })),
      }),
    );
    return entryResults(ids, response.Successful, response.Failed, () => undefined);
  });
}

/**
 * Runs a batch call per chunk of 10 handles, one after another, and collects the failures. A chunk whose request
 * throws reports all its handles as failed and the next chunks still run: no retry here, because a handle that
 * was not deleted only means the message comes back, which the store's idempotency handles (invariant 2).
 */
async function inChunks(
  receiptHandles: readonly string[],
  call: (handles: readonly string[], ids: readonly string[]) => Promise<EntryResult<undefined>[]>,
): Promise<AckFailure[]> {
  const failures: AckFailure[] = [];
  for (let start = 0; start < receiptHandles.length; start += SQS_LIMITS.maxBatchEntries) {
    const handles = receiptHandles.slice(start, start + SQS_LIMITS.maxBatchEntries);
    const ids = handles.map((_, i) => String(i));
    let results: EntryResult<undefined>[];
    try {
      results = await call(handles, ids);
    } catch (error) {
      results = requestFailed(handles.length, error);
    }
    results.forEach((result, i) => {
      if (!result.ok)
        failures.push({ receiptHandle: handles[i]!, code: result.code, message: result.message });
    });
  }
  return failures;
}

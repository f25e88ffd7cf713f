import type { SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from '../transport/types.js';

/** An SQS event record as the engine sees it. String attributes only; binary ones are not ours. */
export function toReceivedMessage(record: SQSRecord, queue: string): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (typeof value?.stringValue === 'string') attributes[name] = value.stringValue;
  }
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    queue,
    attributes,
    receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
  };
}

import type { SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from '../transport/types.js';

/** An SQS event record as the engine sees it. String attributes only; binary ones are not ours. */
export function toReceivedMessage(record: SQSRecord, queue: string): ReceivedMessage {
  const attributes: Record<string, string> = {};
  const given = record.messageAttributes ?? {};
  // Keys, not Object.entries: no array of pairs per attribute on the hot path.
  for (const name of Object.keys(given)) {
    const value = given[name]?.stringValue;
    if (typeof value === 'string') attributes[name] = value;
  }
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    // A record without a string body (not one SQS sent) reads as empty, which the decoder dead-letters with why.
    body: typeof record.body === 'string' ? record.body : '',
    queue,
    attributes,
    receiveCount: receiveCountOf(record.attributes?.ApproximateReceiveCount),
    ...groupOf(record),
  };
}

/**
 * SQS sends the count as a string. Anything else (an event not from SQS) counts as a first receive: converting an
 * arbitrary value with Number() can throw (an object whose toString is not a function), and one record's odd
 * attribute must not fail the batch.
 */
function receiveCountOf(value: unknown): number {
  if (typeof value !== 'string') return 1;
  const count = Number(value);
  return Number.isInteger(count) && count >= 1 ? count : 1;
}

/** The record's MessageGroupId (a tenant, or a FIFO group), and whether its queue is FIFO (from its ARN). */
function groupOf(record: SQSRecord): Pick<ReceivedMessage, 'groupId' | 'fifo'> {
  const groupId = record.attributes?.MessageGroupId;
  const fifo = typeof record.eventSourceARN === 'string' && record.eventSourceARN.endsWith('.fifo');
  if (groupId === undefined && !fifo) return {};
  return { ...(typeof groupId === 'string' ? { groupId } : {}), ...(fifo ? { fifo } : {}) };
}

import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { decodeEnvelope } from '../envelope/decode.js';
import type { DeadLetterReason, Envelope } from '../envelope/envelope.js';
import { InvalidEventError } from '../errors.js';
import { OUTBOX_ATTRIBUTES, OUTBOX_KEY_PREFIX } from '../store/dynamodb/outbox-item.js';

/** What one record of the job table's stream is to the relay. */
export type StreamEntry =
  /** An outbox entry a committed transaction put: its job, to send. */
  | {
      readonly kind: 'entry';
      readonly sequence: string;
      readonly jobId: string;
      readonly address: string;
      readonly envelope: Envelope;
    }
  /**
   * An outbox entry that cannot be sent as it is (its body is not a wharf envelope, or disagrees with its key):
   * the relay dead-letters it with `reason` when it knows the queue (`address`), and fails the record otherwise.
   */
  | {
      readonly kind: 'poison';
      readonly sequence: string;
      readonly jobId: string;
      readonly address?: string;
      readonly body: string;
      readonly job?: string;
      readonly reason: DeadLetterReason;
      readonly message: string;
    }
  /** Not an outbox entry's INSERT (the event source mapping's filter keeps these out; a hand-made event may not). */
  | { readonly kind: 'other'; readonly sequence: string };

/**
 * The event's records, once it is known to be a DynamoDB stream event whose every record has the sequence number
 * a partial batch response names it by. Anything else throws InvalidEventError before a record is relayed.
 */
export function streamRecordsOf(event: unknown): DynamoDBRecord[] {
  const records = (event as { Records?: unknown } | null | undefined)?.Records;
  if (typeof event !== 'object' || event === null || !Array.isArray(records)) {
    throw new InvalidEventError(
      "The wharf outbox relay was invoked with an event that is not a DynamoDB stream event ({ Records: [...] }): is the function triggered by anything but the job table's stream?",
    );
  }
  const unnamed = records.findIndex((r) => typeof sequenceOf(r) !== 'string');
  if (unnamed !== -1) {
    throw new InvalidEventError(
      `Record ${unnamed} of the event has no dynamodb.SequenceNumber: a partial batch response could not name it.`,
    );
  }
  return records as DynamoDBRecord[];
}

/** Reads one stream record: an outbox entry to send, a poison entry, or a record that is not the relay's. */
export function streamEntryOf(record: DynamoDBRecord): StreamEntry {
  const sequence = sequenceOf(record)!;
  const key = textOf(record.dynamodb?.Keys?.[OUTBOX_ATTRIBUTES.key]);
  if (record.eventName !== 'INSERT' || !key?.startsWith(OUTBOX_KEY_PREFIX))
    return { kind: 'other', sequence };
  const jobId = key.slice(OUTBOX_KEY_PREFIX.length);
  const image = record.dynamodb?.NewImage;
  const address = textOf(image?.[OUTBOX_ATTRIBUTES.address]);
  const body = textOf(image?.[OUTBOX_ATTRIBUTES.body]);
  const poison = (reason: DeadLetterReason, message: string, job?: string): StreamEntry => ({
    kind: 'poison',
    sequence,
    jobId,
    ...(address ? { address } : {}),
    body: body ?? '',
    ...(job ? { job } : {}),
    reason,
    message: `outbox entry ${key}: ${message}`,
  });
  if (!image)
    return poison('malformed-body', 'the stream record has no NewImage (the stream must be NEW_IMAGE)');
  if (!address)
    return poison('malformed-body', `it has no "${OUTBOX_ATTRIBUTES.address}" (the queue to send to)`);
  if (body === undefined) return poison('malformed-body', `it has no "${OUTBOX_ATTRIBUTES.body}"`);
  const decoded = decodeEnvelope(body);
  if (!decoded.ok) return poison(decoded.reason, decoded.message, decoded.job);
  const { envelope } = decoded;
  const named = textOf(image[OUTBOX_ATTRIBUTES.jobId]);
  if (envelope.id !== jobId || (named !== undefined && named !== jobId)) {
    return poison(
      'malformed-body',
      `its key names job id "${jobId}", but its envelope carries "${envelope.id}"${named === undefined ? '' : ` and its jobId attribute "${named}"`}: it was not written by transactItems`,
      envelope.job,
    );
  }
  return { kind: 'entry', sequence, jobId, address, envelope };
}

function sequenceOf(record: unknown): string | undefined {
  const sequence = (record as { dynamodb?: { SequenceNumber?: unknown } } | null | undefined)?.dynamodb
    ?.SequenceNumber;
  return typeof sequence === 'string' && sequence !== '' ? sequence : undefined;
}

function textOf(value: AttributeValue | undefined): string | undefined {
  return typeof value?.S === 'string' ? value.S : undefined;
}

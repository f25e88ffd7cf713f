import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { OutboxTransactItem } from '../../src/client/types';

/**
 * The stream record DynamoDB writes when an outbox entry's Put commits: an INSERT with the item as NewImage, as
 * Lambda hands it to the relay. For unit tests; the moto tests read real records from the stream.
 */
export function insertRecordOf(entry: OutboxTransactItem, sequence: number): DynamoDBRecord {
  const image = lowLevel(entry.Put.Item);
  return recordOf('INSERT', image, sequence);
}

/** A stream record of any kind for the given image (its key is `pk`). */
export function recordOf(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  image: Record<string, AttributeValue>,
  sequence: number,
): DynamoDBRecord {
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventVersion: '1.1',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: { pk: image.pk! },
      ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image }),
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: 100,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** An item of either format as DynamoDB's low-level attribute values. */
export function lowLevel(item: OutboxTransactItem['Put']['Item']): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(item).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? { S: value }
        : typeof value === 'number'
          ? { N: String(value) }
          : 'S' in value
            ? { S: value.S }
            : { N: value.N },
    ]),
  );
}

import { randomUUID } from 'node:crypto';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:bench';

/** A message as Lambda's event source mapping hands it over, for the runs without any emulator. */
export function sqsRecord(body: string, attributes: Readonly<Record<string, string>> = {}): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [
        name,
        { stringValue: value, dataType: 'String', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

/** Records in events of `batchSize` (the event source mapping's default, 10). */
export function toEvents(records: readonly SQSRecord[], batchSize = 10): SQSEvent[] {
  const events: SQSEvent[] = [];
  for (let i = 0; i < records.length; i += batchSize)
    events.push({ Records: records.slice(i, i + batchSize) });
  return events;
}

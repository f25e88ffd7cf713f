import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * What Lambda's SQS event source mapping does, played in-process (moto never runs Lambda code): receive a batch
 * from the real queue, invoke the handler with an SQS event built from those very messages, then delete every
 * message the partial batch response did not list. Listed ones stay and come back after their visibility timeout.
 */
export interface EsmTarget {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  readonly batchSize?: number;
  readonly waitTimeSeconds?: number;
  readonly visibilityTimeoutSeconds?: number;
  /** The invocation's remaining time. @default 60 s */
  readonly remainingTimeMs?: number;
}

export interface EsmInvocation {
  readonly records: readonly SQSRecord[];
  readonly response: SQSBatchResponse | undefined;
  readonly deleted: number;
}

export async function pollOnce(target: EsmTarget): Promise<EsmInvocation> {
  const received = await target.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: target.queueUrl,
      MaxNumberOfMessages: target.batchSize ?? 10,
      WaitTimeSeconds: target.waitTimeSeconds ?? 0,
      VisibilityTimeout: target.visibilityTimeoutSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  const records = (received.Messages ?? []).map((m) => toRecord(m, target.queueArn));
  if (records.length === 0) return { records, response: undefined, deleted: 0 };
  const response = await target.handler({ Records: records }, fakeContext(target.remainingTimeMs ?? 60_000));
  const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  const toDelete = records.filter((r) => !failed.has(r.messageId));
  if (toDelete.length > 0) {
    const result = await target.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: target.queueUrl,
        Entries: toDelete.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
      }),
    );
    // Like the real event source mapping, a failed delete is not an error of the invocation: the message simply
    // comes back (an old receipt handle after a redelivery is the usual cause).
    return { records, response, deleted: toDelete.length - (result.Failed ?? []).length };
  }
  return { records, response, deleted: 0 };
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '0',
      SenderId: attributes.SenderId ?? 'moto',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
      // The event source mapping passes a message's group (FIFO, or a fair queue's tenant) in the record.
      ...(attributes.MessageGroupId === undefined ? {} : { MessageGroupId: attributes.MessageGroupId }),
      ...(attributes.MessageDeduplicationId === undefined
        ? {}
        : { MessageDeduplicationId: attributes.MessageDeduplicationId }),
      ...(attributes.SequenceNumber === undefined ? {} : { SequenceNumber: attributes.SequenceNumber }),
      // The producer's X-Ray trace header, which Lambda passes in the record as SQS keeps it.
      ...(attributes.AWSTraceHeader === undefined ? {} : { AWSTraceHeader: attributes.AWSTraceHeader }),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [
        k,
        {
          stringValue: v.StringValue,
          dataType: v.DataType ?? 'String',
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export function fakeContext(remainingTimeMs: number): Context {
  const deadline = Date.now() + remainingTimeMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'wharf-test-worker',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:wharf-test-worker',
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: '/aws/lambda/wharf-test-worker',
    logStreamName: 'test',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

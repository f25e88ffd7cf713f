import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One message found on the dead-letter queue. */
export interface DeadLetterSeen {
  readonly messageId: string;
  /** The envelope's job id; undefined when the body is not an envelope. */
  readonly jobId?: string;
  /** wharf's `wharf.dlq.reason` attribute: absent on a message SQS moved by itself (maxReceiveCount). */
  readonly reason?: string;
  /** The error the dead letter records (its code, else its name). */
  readonly error?: string;
}

// The attribute wharf puts on every dead letter it writes (invariant 5); read here as the console shows it.
const REASON_ATTRIBUTE = 'wharf.dlq.reason';

/**
 * Takes everything off the dead-letter queue (the driver is its only reader: wharf only writes to it), handing
 * each message to `seen`. Returns how many it took; stops at the first empty receive.
 */
export async function drainDeadLetters(
  sqs: SQSClient,
  deadLetterUrl: string,
  seen: (deadLetter: DeadLetterSeen) => void,
): Promise<number> {
  let taken = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) return taken;
    for (const message of Messages) {
      seen({
        messageId: message.MessageId ?? '',
        ...bodyFacts(message.Body ?? ''),
        ...(message.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue === undefined
          ? {}
          : { reason: message.MessageAttributes[REASON_ATTRIBUTE].StringValue }),
      });
    }
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: deadLetterUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    // A dead letter counted twice would read as a job dead-lettered twice: a failed delete stops the soak.
    if ((deleted.Failed ?? []).length > 0)
      throw new Error(`could not delete ${deleted.Failed?.length} dead letters`);
    taken += Messages.length;
  }
}

function bodyFacts(body: string): { jobId?: string; error?: string } {
  try {
    const envelope = JSON.parse(body) as {
      id?: unknown;
      deadLetter?: { error?: { code?: unknown; name?: unknown } };
    };
    const error = envelope.deadLetter?.error;
    const code =
      typeof error?.code === 'string' ? error.code : typeof error?.name === 'string' ? error.name : undefined;
    return {
      ...(typeof envelope.id === 'string' ? { jobId: envelope.id } : {}),
      ...(code === undefined ? {} : { error: code }),
    };
  } catch {
    return {};
  }
}

import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { uniqueName } from './aws';

/** A source queue and its dead-letter queue on moto, wired with a redrive policy as the CDK construct wires them. */
export interface QueuePair {
  readonly url: string;
  readonly deadLetterUrl: string;
  readonly arn: string;
  readonly deadLetterArn: string;
}

export interface QueuePairOptions {
  /** @default 'wharf-q' */
  readonly prefix?: string;
  /** How soon a released message comes back. @default 2 */
  readonly visibilityTimeoutSeconds?: number;
  /** @default 5 */
  readonly maxReceiveCount?: number;
}

export async function createQueuePair(sqs: SQSClient, options: QueuePairOptions = {}): Promise<QueuePair> {
  const name = uniqueName(options.prefix ?? 'wharf-q');
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const deadLetterArn = await queueArn(sqs, dlq.QueueUrl!);
  const source = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 2),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterArn,
          maxReceiveCount: options.maxReceiveCount ?? 5,
        }),
      },
    }),
  );
  return {
    url: source.QueueUrl!,
    deadLetterUrl: dlq.QueueUrl!,
    arn: await queueArn(sqs, source.QueueUrl!),
    deadLetterArn,
  };
}

export async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
}

/** Messages still on the queue: visible, in flight and delayed. */
export async function messagesLeft(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Delivers until nothing is left on the queue, or fails after `timeoutMs`. */
export async function drainQueue(
  sqs: SQSClient,
  url: string,
  deliver: () => Promise<unknown>,
  timeoutMs = 25_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await deliver();
    if ((await messagesLeft(sqs, url)) === 0) return;
  }
  throw new Error(`queue not drained within ${timeoutMs} ms`);
}

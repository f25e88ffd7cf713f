import { type Clock, systemClock } from '../../clock.js';
import type { QueueUrls } from '../../config/env-config.js';
import { ConfigError, TransportError } from '../../errors.js';
import type { HeldMessage, QueueAdmin, QueueCounts } from '../admin-types.js';
import { SQS_LIMITS } from '../message-limits.js';
import { changeVisibility, deleteMessages, type QueueTarget } from './consume-messages.js';
import { queueAttributes } from './queue-attributes.js';
import { sendMessages } from './send-messages.js';
import { type Message, ReceiveMessageCommand, type SQSClient } from './sqs-api.js';
import { createSqsMoveTasks } from './sqs-move-tasks.js';

export interface SqsQueueAdminOptions {
  readonly client: SQSClient;
  /** Logical queue name to its URLs, as `configFromEnv` returns them. */
  readonly queues: Readonly<Record<string, QueueUrls>>;
  /**
   * Long-poll wait of each receive from a DLQ. A short poll (0) asks only some SQS servers and can come back
   * empty while messages exist, which would end a listing or a redrive early. @default 1
   */
  readonly receiveWaitSeconds?: number;
  /** @default systemClock */
  readonly clock?: Clock;
}

/**
 * QueueAdmin over SQS. Listing a DLQ without consuming it has no dedicated API: a dead letter is received with a
 * visibility timeout (the "hold"), which hides it from everyone else until it is released or the hold ends, and
 * raises its ApproximateReceiveCount. Both are harmless on a DLQ, which has no consumer and no redrive policy of
 * its own; the cost is that two operators listing at the same moment each see part of the queue, and that a
 * console poll during a hold misses the held messages. Ops keeps holds short and releases them at once.
 */
export function createSqsQueueAdmin(options: SqsQueueAdminOptions): QueueAdmin {
  const { client } = options;
  const clock = options.clock ?? systemClock;
  const wait = options.receiveWaitSeconds ?? 1;
  const urls = (queue: string) => urlsOf(options.queues, queue);
  const dlq = (queue: string): QueueTarget => ({ client, queue, queueUrl: urls(queue).deadLetterUrl });
  return {
    queues: Object.keys(options.queues),
    stats: (queue) => queueCounts(client, urls(queue)),
    holdDeadLetters: (queue, hold) => receiveHeld(dlq(queue), hold.max, hold.holdSeconds, wait),
    releaseDeadLetters: async (queue, handles) => changeVisibility(dlq(queue), handles, 0),
    deleteDeadLetters: async (queue, handles) => deleteMessages(dlq(queue), handles),
    sendToQueue: async (queue, messages) =>
      sendMessages(
        {
          client,
          queueUrl: urls(queue).url,
          fifo: urls(queue).url.endsWith('.fifo'),
          clock,
          maxAttempts: 4,
          concurrency: 2,
        },
        messages,
      ),
    moveTasks: createSqsMoveTasks(client, urls),
  };
}

async function queueCounts(client: SQSClient, urls: QueueUrls): Promise<QueueCounts> {
  const [source, dead] = await Promise.all([
    queueAttributes(client, urls.url, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateNumberOfMessagesDelayed',
    ]),
    queueAttributes(client, urls.deadLetterUrl, [
      'ApproximateNumberOfMessages',
      'ApproximateNumberOfMessagesNotVisible',
    ]),
  ]);
  const count = (values: Record<string, string>, name: string) => Number(values[name] ?? 0);
  return {
    visible: count(source, 'ApproximateNumberOfMessages'),
    inFlight: count(source, 'ApproximateNumberOfMessagesNotVisible'),
    delayed: count(source, 'ApproximateNumberOfMessagesDelayed'),
    deadLetters:
      count(dead, 'ApproximateNumberOfMessages') + count(dead, 'ApproximateNumberOfMessagesNotVisible'),
    // Not offered by the SQS API: ApproximateAgeOfOldestMessage is a CloudWatch metric (the CDK dashboard has it).
  };
}

async function receiveHeld(
  target: QueueTarget,
  max: number,
  holdSeconds: number,
  waitSeconds: number,
): Promise<HeldMessage[]> {
  try {
    const response = await target.client.send(
      new ReceiveMessageCommand({
        QueueUrl: target.queueUrl,
        MaxNumberOfMessages: Math.min(SQS_LIMITS.maxBatchEntries, Math.max(1, max)),
        VisibilityTimeout: holdSeconds,
        WaitTimeSeconds: waitSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    return (response.Messages ?? []).flatMap(toHeld);
  } catch (error) {
    throw new TransportError(`ReceiveMessage on the DLQ of "${target.queue}" failed`, {
      cause: error,
    });
  }
}

function toHeld(message: Message): HeldMessage[] {
  if (!message.MessageId || !message.ReceiptHandle) return [];
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  return [
    {
      messageId: message.MessageId,
      handle: message.ReceiptHandle,
      body: message.Body ?? '',
      attributes,
      sentAtMs: Number(message.Attributes?.SentTimestamp ?? 0),
    },
  ];
}

function urlsOf(queues: Readonly<Record<string, QueueUrls>>, queue: string): QueueUrls {
  const urls = Object.hasOwn(queues, queue) ? queues[queue] : undefined;
  if (!urls) {
    const known = Object.keys(queues).join(', ') || '(none)';
    throw new ConfigError(`Unknown queue "${queue}". Known queues: ${known}.`);
  }
  return urls;
}

import { type Clock, systemClock } from '../../clock.js';
import type { QueueUrls } from '../../config/env-config.js';
import { ConfigError, InvalidOptionsError, TransportError } from '../../errors.js';
import { checkOutgoingMessage, fifoProblem } from '../message-limits.js';
import type { Consumer, OutgoingMessage, Transport } from '../types.js';
import { describeError } from './batch-result.js';
import { changeVisibility, deleteMessages, type QueueTarget, receiveMessages } from './consume-messages.js';
import { messageKeys, sendMessages, toMessageAttributes, traceAttribute } from './send-messages.js';
import { SendMessageCommand, type SQSClient } from './sqs-api.js';

export interface SqsTransportOptions {
  /** Built once per module by the caller (clients are reused across invocations). */
  readonly client: SQSClient;
  /** Logical queue name (`'default'`) to its URLs, as `configFromEnv` returns them. */
  readonly queues: Readonly<Record<string, QueueUrls>>;
  /** Waits between send retries go through it. @default systemClock */
  readonly clock?: Clock;
  /**
   * Rounds of SendMessageBatch for an entry that keeps failing transiently, on top of the SDK's own retries of
   * the request. @default 4
   */
  readonly maxSendAttempts?: number;
  /** SendMessageBatch requests in flight at once during a bulk send. @default 5 */
  readonly sendConcurrency?: number;
}

/** The SQS adapter of both ports: producers use it as a Transport, the worker's poller as a Consumer. */
export type SqsTransport = Transport & Consumer & Required<Pick<Transport, 'queueKind'>>;

export function createSqsTransport(options: SqsTransportOptions): SqsTransport {
  const resolved = resolveOptions(options);
  const { client, clock } = resolved;
  const urlsOf = (queue: string): QueueUrls => queueUrls(options.queues, queue);
  const target = (queue: string): QueueTarget => {
    const { url } = urlsOf(queue);
    return { client, queue, queueUrl: url, fifo: isFifoUrl(url) };
  };
  // async, so a bad queue name rejects the returned promise like any other failure instead of throwing.
  return {
    send: async (queue, messages) =>
      sendMessages(
        {
          client,
          queueUrl: urlsOf(queue).url,
          fifo: isFifoUrl(urlsOf(queue).url),
          clock,
          maxAttempts: resolved.maxSendAttempts,
          concurrency: resolved.sendConcurrency,
        },
        messages,
      ),
    sendToDeadLetter: async (queue, message) =>
      sendToDeadLetter(client, queue, urlsOf(queue).deadLetterUrl, message),
    queueKind: (queue) => (isFifoUrl(urlsOf(queue).url) ? 'fifo' : 'standard'),
    receive: async (queue, receiveOptions) => receiveMessages(target(queue), receiveOptions),
    ack: async (queue, receiptHandles) => deleteMessages(target(queue), receiptHandles),
    changeVisibility: async (queue, receiptHandles, seconds) =>
      changeVisibility(target(queue), receiptHandles, seconds),
  };
}

function resolveOptions(options: SqsTransportOptions) {
  const resolved = {
    client: options.client,
    clock: options.clock ?? systemClock,
    maxSendAttempts: options.maxSendAttempts ?? 4,
    sendConcurrency: options.sendConcurrency ?? 5,
  };
  const problems: string[] = [];
  if (!Number.isInteger(resolved.maxSendAttempts) || resolved.maxSendAttempts < 1) {
    problems.push(`maxSendAttempts: a whole number >= 1, received ${resolved.maxSendAttempts}`);
  }
  if (!Number.isInteger(resolved.sendConcurrency) || resolved.sendConcurrency < 1) {
    problems.push(`sendConcurrency: a whole number >= 1, received ${resolved.sendConcurrency}`);
  }
  if (problems.length > 0) throw new InvalidOptionsError('SQS transport options', problems);
  return resolved;
}

function queueUrls(queues: Readonly<Record<string, QueueUrls>>, queue: string): QueueUrls {
  // Own properties only: a queue named "constructor" must not resolve to Object.prototype's.
  const urls = Object.hasOwn(queues, queue) ? queues[queue] : undefined;
  if (!urls) {
    const known = Object.keys(queues);
    throw new ConfigError(
      `Unknown queue "${queue}". Known queues: ${known.length > 0 ? known.map((q) => `"${q}"`).join(', ') : '(none)'}. ` +
        'Add it to the job definitions deployed by the wharf construct, or to the queues given to createSqsTransport.',
    );
  }
  return urls;
}

/** One SendMessage to the dead-letter queue; confirmed only by a MessageId in the response. */
async function sendToDeadLetter(
  client: SQSClient,
  queue: string,
  deadLetterUrl: string,
  message: OutgoingMessage,
): Promise<void> {
  const fifo = isFifoUrl(deadLetterUrl);
  const problem = checkOutgoingMessage(message) ?? (fifo ? fifoProblem(message) : undefined);
  if (problem) {
    throw new TransportError(
      `Dead letter for queue "${queue}" refused (${problem.code}): ${problem.message}`,
    );
  }
  let messageId: string | undefined;
  try {
    const response = await client.send(
      new SendMessageCommand({
        QueueUrl: deadLetterUrl,
        MessageBody: message.body,
        MessageAttributes: toMessageAttributes(message.attributes),
        ...messageKeys(message, fifo),
        ...traceAttribute(message),
      }),
    );
    messageId = response.MessageId;
  } catch (error) {
    throw new TransportError(`Dead letter for queue "${queue}" was not written: ${describeError(error)}`, {
      cause: error,
    });
  }
  if (!messageId) {
    throw new TransportError(`Dead letter for queue "${queue}" was not confirmed: no MessageId came back`);
  }
}

/** SQS names every FIFO queue `<name>.fifo`, so its URL says what it is without a GetQueueAttributes call. */
export const isFifoUrl = (queueUrl: string) => queueUrl.endsWith('.fifo');

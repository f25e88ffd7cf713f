import type { Clock } from '../clock.js';
import type { QueueUrls } from '../config/env-config.js';
import type { SQSClient } from '../transport/sqs/sqs-api.js';
import type { SqsTransport } from '../transport/sqs/sqs-transport.js';
import type { QueueKind } from '../transport/types.js';
import { loadOnce } from './load-once.js';

export interface LazySqsTransportOptions {
  /** The SQS client, asked for when SQS is first needed (from the composition root, aws-clients.ts). */
  readonly client: () => Promise<SQSClient>;
  readonly queues: Readonly<Record<string, QueueUrls>>;
  readonly clock: Clock;
}

/**
 * The SQS transport, loaded when it is first used. A Lambda worker's success needs no SQS call (the event source
 * mapping deletes the message): SQS is for retries, dead letters, deferrals and jobs that enqueue. So neither the
 * SQS client module nor the client is evaluated at init; the first send loads them, once per process.
 *
 * Nothing about the invariants changes: every method still resolves only when the SQS adapter has confirmed its
 * work, and a failure to load rejects like any other transport failure (the message is released, not deleted).
 */
export function createLazySqsTransport(options: LazySqsTransportOptions): SqsTransport {
  const load = loadOnce(async () => {
    const [{ createSqsTransport }, client] = await Promise.all([
      import('../transport/sqs/sqs-transport.js'),
      options.client(),
    ]);
    return createSqsTransport({
      client,
      queues: options.queues,
      clock: options.clock,
    });
  });
  return {
    send: async (queue, messages) => (await load()).send(queue, messages),
    sendToDeadLetter: async (queue, message) => (await load()).sendToDeadLetter(queue, message),
    // From the configured URLs, without loading SQS: the client asks it on every enqueue.
    queueKind: (queue) => queueKindOf(options.queues, queue),
    receive: async (queue, receiveOptions) => (await load()).receive(queue, receiveOptions),
    ack: async (queue, receiptHandles) => (await load()).ack(queue, receiptHandles),
    changeVisibility: async (queue, receiptHandles, seconds) =>
      (await load()).changeVisibility(queue, receiptHandles, seconds),
  };
}

function queueKindOf(queues: Readonly<Record<string, QueueUrls>>, queue: string): QueueKind {
  const urls = Object.hasOwn(queues, queue) ? queues[queue] : undefined;
  // An unknown queue is the send's to refuse, with the list of known ones.
  return urls?.url.endsWith('.fifo') ? 'fifo' : 'standard';
}

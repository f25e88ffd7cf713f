import type { QueueUrls } from '../config/env-config.js';
import { ConfigError } from '../errors.js';
import { loadOnce } from '../runtime/load-once.js';
import type { QueueAdmin } from '../transport/admin-types.js';
import type { SQSClient } from '../transport/sqs/sqs-api.js';

/**
 * The queue admin of AWS ops, loaded with its SQS client when first used: `wharf-jobs/ops` also serves local ops
 * (the embedded engine), and `wharf --help` or `wharf --local` never talk to AWS. The client comes from the
 * composition root (runtime/aws-clients.ts), shared with ops' transport.
 */
export function lazyQueueAdmin(
  sqs: () => Promise<SQSClient>,
  queues: Readonly<Record<string, QueueUrls>>,
): QueueAdmin {
  const load = loadOnce(async () => {
    const { createSqsQueueAdmin } = await import('../transport/sqs/sqs-queue-admin.js');
    return createSqsQueueAdmin({ client: await sqs(), queues });
  });
  return {
    queues: Object.keys(queues),
    stats: async (queue) => (await load()).stats(queue),
    holdDeadLetters: async (queue, hold) => (await load()).holdDeadLetters(queue, hold),
    releaseDeadLetters: async (queue, handles) => (await load()).releaseDeadLetters(queue, handles),
    deleteDeadLetters: async (queue, handles) => (await load()).deleteDeadLetters(queue, handles),
    sendToQueue: async (queue, messages) => (await load()).sendToQueue(queue, messages),
    // SQS always has move tasks; whether the endpoint does (moto has none) is learnt by calling them.
    moveTasks: {
      start: async (queue, options) => (await moveTasks(load)).start(queue, options),
      list: async (queue) => (await moveTasks(load)).list(queue),
    },
  };
}

async function moveTasks(load: () => Promise<QueueAdmin>) {
  const admin = await load();
  if (!admin.moveTasks) throw new ConfigError('the SQS queue admin has no move tasks');
  return admin.moveTasks;
}

import { ConfigError } from '../errors';

/**
 * How a process finds its queues and table at run time. The CDK construct sets these variables on every
 * function it creates; producers in other services set them the same way (see README "Producers").
 *
 * - WHARF_TABLE_NAME            the job table
 * - WHARF_QUEUE_URL_<QUEUE>     a queue's URL, QUEUE upper-cased with "-" as "_" (WHARF_QUEUE_URL_DEFAULT)
 * - WHARF_DLQ_URL_<QUEUE>       its dead-letter queue's URL
 * - WHARF_QUEUE                 in a worker function: the queue it serves
 */
export interface WharfConfig {
  readonly tableName?: string;
  readonly queues: Readonly<Record<string, QueueUrls>>;
  readonly workerQueue?: string;
}

export interface QueueUrls {
  readonly url: string;
  readonly deadLetterUrl: string;
}

export function queueEnvSuffix(queue: string): string {
  return queue.toUpperCase().replace(/-/g, '_');
}

export function queueUrlVariable(queue: string): string {
  return `WHARF_QUEUE_URL_${queueEnvSuffix(queue)}`;
}

export function deadLetterUrlVariable(queue: string): string {
  return `WHARF_DLQ_URL_${queueEnvSuffix(queue)}`;
}

/** Reads the configuration for the given queues; reports every missing variable at once. */
export function configFromEnv(queues: readonly string[], env: NodeJS.ProcessEnv = process.env): WharfConfig {
  const missing: string[] = [];
  const resolved: Record<string, QueueUrls> = {};
  for (const queue of queues) {
    const url = env[queueUrlVariable(queue)];
    const deadLetterUrl = env[deadLetterUrlVariable(queue)];
    if (!url) missing.push(queueUrlVariable(queue));
    if (!deadLetterUrl) missing.push(deadLetterUrlVariable(queue));
    if (url && deadLetterUrl) resolved[queue] = { url, deadLetterUrl };
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `Missing environment variables: ${missing.join(', ')}. The wharf CDK construct sets them; see README "Producers".`,
    );
  }
  return { tableName: env.WHARF_TABLE_NAME, queues: resolved, workerQueue: env.WHARF_QUEUE };
}

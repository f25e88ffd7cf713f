import type { Clock } from '../../clock.js';
import { backoffDelayMs } from '../../job/backoff.js';
import { checkOutgoingMessage, fifoProblem, messageSizeBytes, SQS_LIMITS } from '../message-limits.js';
import type { OutgoingMessage, SendOutcome } from '../types.js';
import { type EntryResult, entryResults, requestFailed } from './batch-result.js';
import { chunkBatches } from './chunk-batches.js';
import { mapWithConcurrency } from './map-with-concurrency.js';
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from './sqs-api.js';

export interface SendContext {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** A FIFO queue: entries carry their group and deduplication id, and no DelaySeconds (FIFO refuses one). */
  readonly fifo?: boolean;
  readonly clock: Clock;
  readonly maxAttempts: number;
  readonly concurrency: number;
}

interface PendingEntry {
  /** Position in the caller's list, where its outcome goes. */
  readonly index: number;
  readonly message: OutgoingMessage;
  readonly sizeBytes: number;
}

// Short waits: an enqueue call is usually on a user's request path, and the SDK has already retried the request.
const RETRY_BACKOFF = {
  strategy: 'exponential',
  base: { ms: 100 },
  factor: 2,
  max: { ms: 2000 },
  jitter: 1,
} as const;

/**
 * Sends messages with SendMessageBatch and returns one outcome per message, in input order.
 * Each round sends what is still pending, in batches of at most 10 entries and 1 MiB; entries that failed
 * transiently (or whose request failed) go into the next round after a jittered backoff. Entries already
 * confirmed are never sent again.
 */
export async function sendMessages(
  ctx: SendContext,
  messages: readonly OutgoingMessage[],
): Promise<SendOutcome[]> {
  const outcomes = new Array<SendOutcome>(messages.length);
  let pending: PendingEntry[] = [];
  messages.forEach((message, index) => {
    const problem = checkOutgoingMessage(message) ?? (ctx.fifo ? fifoProblem(message) : undefined);
    if (problem) outcomes[index] = problem;
    else pending.push({ index, message, sizeBytes: messageSizeBytes(message) });
  });
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) await ctx.clock.sleep(backoffDelayMs(RETRY_BACKOFF, attempt - 1));
    pending = await sendRound(ctx, pending, attempt, outcomes);
  }
  return outcomes;
}

/** Sends one round and records final outcomes; returns the entries to retry. */
async function sendRound(
  ctx: SendContext,
  pending: readonly PendingEntry[],
  attempt: number,
  outcomes: SendOutcome[],
): Promise<PendingEntry[]> {
  const batches = chunkBatches(
    pending,
    { maxCount: SQS_LIMITS.maxBatchEntries, maxBytes: SQS_LIMITS.maxBatchBytes },
    (entry) => entry.sizeBytes,
  );
  const results = ctx.fifo
    ? await sendInOrder(ctx, batches)
    : await mapWithConcurrency(batches, ctx.concurrency, (batch) => sendBatch(ctx, batch));
  const retry: PendingEntry[] = [];
  batches.forEach((batch, b) => {
    // On a FIFO queue the batches after a failed entry were not sent: they go again after it, in order.
    if (results[b] === undefined) {
      retry.push(...batch);
      return;
    }
    batch.forEach((entry, e) => {
      // sendBatch returns exactly one result per entry, in order.
      const result = results[b]![e]!;
      if (result.ok) outcomes[entry.index] = { ok: true, messageId: result.value };
      else if (result.retryable && attempt < ctx.maxAttempts) retry.push(entry);
      else
        outcomes[entry.index] = {
          ok: false,
          code: result.code,
          message: attempt > 1 ? `${result.message} (after ${attempt} attempts)` : result.message,
          permanent: result.permanent,
        };
    });
  });
  return retry;
}

/**
 * A FIFO queue orders messages as they arrive, so its batches go one after another, never side by side: a later
 * batch landing first would put a group's later jobs before its earlier ones. After a batch with an entry to
 * retry, the round stops (the rest go again after it). An entry that fails alone inside a batch whose later
 * entries of its group were accepted cannot be put back before them: SQS answers per entry, after the fact.
 */
async function sendInOrder(
  ctx: SendContext,
  batches: readonly (readonly PendingEntry[])[],
): Promise<(EntryResult<string>[] | undefined)[]> {
  const results: (EntryResult<string>[] | undefined)[] = batches.map(() => undefined);
  for (const [b, batch] of batches.entries()) {
    const result = await sendBatch(ctx, batch);
    results[b] = result;
    if (result.some((r) => !r.ok && r.retryable)) break;
  }
  return results;
}

/** One SendMessageBatch call; never throws, a failed request becomes a failed result for each entry. */
async function sendBatch(ctx: SendContext, batch: readonly PendingEntry[]): Promise<EntryResult<string>[]> {
  // Ids are positions in this request: short, unique, and valid whatever the message holds.
  const ids = batch.map((_, position) => String(position));
  try {
    const response = await ctx.client.send(
      new SendMessageBatchCommand({
        QueueUrl: ctx.queueUrl,
        Entries: batch.map((entry, position) => toBatchEntry(String(position), entry.message, ctx.fifo)),
      }),
    );
    return entryResults(ids, response.Successful, response.Failed, (entry) => entry.MessageId ?? '');
  } catch (error) {
    return requestFailed(batch.length, error);
  }
}

function toBatchEntry(id: string, message: OutgoingMessage, fifo = false): SendMessageBatchRequestEntry {
  return {
    Id: id,
    MessageBody: message.body,
    MessageAttributes: toMessageAttributes(message.attributes),
    ...messageKeys(message, fifo),
    ...traceAttribute(message),
  };
}

/** The producer's trace as the one system attribute SQS takes (README "Traces"). */
export function traceAttribute(message: OutgoingMessage): {
  MessageSystemAttributes?: { AWSTraceHeader: { DataType: 'String'; StringValue: string } };
} {
  if (message.traceHeader === undefined) return {};
  return {
    MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: message.traceHeader } },
  };
}

/**
 * What SQS reads beside the body. On a standard queue, the delay and the tenant (a MessageGroupId there names the
 * tenant of a fair queue). On a FIFO queue, the group and the deduplication id, and never DelaySeconds: FIFO
 * queues refuse a per-message delay.
 */
export function messageKeys(
  message: OutgoingMessage,
  fifo: boolean,
): { DelaySeconds?: number; MessageGroupId?: string; MessageDeduplicationId?: string } {
  if (fifo) {
    return {
      MessageGroupId: message.groupId,
      ...(message.deduplicationId === undefined ? {} : { MessageDeduplicationId: message.deduplicationId }),
    };
  }
  return {
    DelaySeconds: message.delaySeconds,
    ...(message.groupId === undefined ? {} : { MessageGroupId: message.groupId }),
  };
}

/** Attributes as SQS String attributes, or undefined when there are none (SQS then stores none). */
export function toMessageAttributes(
  attributes: Readonly<Record<string, string>>,
): Record<string, { DataType: 'String'; StringValue: string }> | undefined {
  const entries = Object.entries(attributes);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(
    entries.map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}

import type { ReceivedMessage } from '../transport/types.js';
import type { Disposition, Engine, ProcessOptions } from './types.js';

/**
 * What an adapter does with a message once the engine has decided, in its own terms: the worker batches deletes
 * and changes visibility, the embedded engine calls its memory queue, Lambda reports the released ones in its
 * partial batch response (and Lambda deletes the rest). Either may return a promise, which is waited for.
 */
export interface Settlement {
  /** The outcome is durable: the message may go. */
  ack(message: ReceivedMessage): unknown;
  /** Nothing durable happened: the message must come back. */
  release(message: ReceivedMessage, reason: string): unknown;
  /** Keep the message: visible again in `seconds` (a FIFO retry or deferral waiting in place). */
  wait(message: ReceivedMessage, seconds: number): unknown;
}

export interface SettleOptions {
  /** Passed to every `engine.process` call (a Lambda deadline, the worker's shutdown signal). */
  readonly process?: ProcessOptions;
  /** Messages run at once. @default 1 */
  readonly concurrency?: number;
  /**
   * FIFO: one at a time, in order, and once one is released (or waits) the rest are released unrun, so a later
   * message never overtakes one that must come back first. `batch`: the whole batch in one line (AWS's rule for
   * FIFO partial batch responses). `group`: each message group (`groupId`) in its own line, the groups side by
   * side up to `concurrency`, and a message coming back holds back only its own group.
   * @default unordered
   */
  readonly ordered?: 'batch' | 'group';
}

/** Why the rest of an ordered batch comes back: the message before them did. */
export const RELEASED_BEHIND = 'not run: an earlier message of this ordered batch came back';

/** The one receive -> process -> settle step every adapter runs: the engine decides, the adapter settles. */
export async function settleMessage(
  engine: Engine,
  message: ReceivedMessage,
  settlement: Settlement,
  options?: ProcessOptions,
): Promise<Disposition> {
  const disposition = await engine.process(message, options);
  const settled = settle(message, disposition, settlement);
  // Only a settlement that really waits is waited for: an await per message is a cost on the hot path.
  if (settled instanceof Promise) await settled;
  return disposition;
}

/** A batch through the same step: up to `concurrency` at once, or strictly in order (`ordered`). */
export async function settleMessages(
  engine: Engine,
  messages: readonly ReceivedMessage[],
  settlement: Settlement,
  options: SettleOptions = {},
): Promise<void> {
  if (options.ordered === 'batch') return settleInOrder(engine, messages, settlement, options.process);
  if (options.ordered === 'group') return settleGroups(engine, messages, settlement, options);
  const lanes = Math.max(1, Math.min(options.concurrency ?? 1, messages.length));
  const queue = { next: 0 };
  if (lanes === 1) return runLane(engine, messages, queue, settlement, options.process);
  await Promise.all(
    Array.from({ length: lanes }, () => runLane(engine, messages, queue, settlement, options.process)),
  );
}

/** One lane of a batch: takes the next message until none is left. settleMessage written out: one async call less. */
async function runLane(
  engine: Engine,
  messages: readonly ReceivedMessage[],
  queue: { next: number },
  settlement: Settlement,
  options: ProcessOptions | undefined,
): Promise<void> {
  while (queue.next < messages.length) {
    const message = messages[queue.next++]!;
    const settled = settle(message, await engine.process(message, options), settlement);
    if (settled instanceof Promise) await settled;
  }
}

/** What the settlement does for one disposition; a promise when the settlement waits for something. */
export function settle(message: ReceivedMessage, disposition: Disposition, settlement: Settlement): unknown {
  if (disposition.action === 'ack') return settlement.ack(message);
  if (disposition.action === 'wait') return settlement.wait(message, disposition.visibleInSeconds);
  return settlement.release(message, disposition.reason);
}

async function settleInOrder(
  engine: Engine,
  messages: readonly ReceivedMessage[],
  settlement: Settlement,
  options: ProcessOptions | undefined,
): Promise<void> {
  for (let i = 0; i < messages.length; i++) {
    const disposition = await settleMessage(engine, messages[i]!, settlement, options);
    if (disposition.action === 'ack') continue;
    for (const behind of messages.slice(i + 1)) await settlement.release(behind, RELEASED_BEHIND);
    return;
  }
}

/** Each group in order on its own line (settleInOrder), up to `concurrency` groups at once. */
async function settleGroups(
  engine: Engine,
  messages: readonly ReceivedMessage[],
  settlement: Settlement,
  options: SettleOptions,
): Promise<void> {
  const groups = new Map<string, ReceivedMessage[]>();
  // A message without a group (not one SQS would send on FIFO) is a group of its own: it holds nothing back.
  messages.forEach((message, index) => {
    const key = message.groupId ?? `\u0000${index}`;
    const group = groups.get(key);
    if (group) group.push(message);
    else groups.set(key, [message]);
  });
  const lines = [...groups.values()];
  const next = { index: 0 };
  const lanes = Math.max(1, Math.min(options.concurrency ?? 1, lines.length));
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next.index < lines.length)
        await settleInOrder(engine, lines[next.index++]!, settlement, options.process);
    }),
  );
}

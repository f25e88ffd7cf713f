import { randomUUID } from 'node:crypto';
import type { AckFailure, OutgoingMessage } from '../types.js';
import { DeliveryLanes } from './delivery-lanes.js';

/** A message as the memory transport's introspection shows it, without consuming it. */
export interface PeekedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAtMs: number;
  /** When it can next be received; for a dead letter, when it was dead-lettered. */
  readonly visibleAtMs: number;
  readonly receiveCount: number;
  /** Its MessageGroupId: a tenant on a standard queue, the group on a FIFO queue. */
  readonly groupId?: string;
}

export interface QueueStats {
  /** Receivable now (including messages past maxReceiveCount, which the next receive moves to the DLQ). */
  readonly visible: number;
  /** Received and not yet visible again. */
  readonly inFlight: number;
  /** Never received and still inside their delay. */
  readonly delayed: number;
  readonly deadLetters: number;
  /** Age of the oldest message in the queue (not the DLQ); undefined when the queue is empty. */
  readonly oldestAgeMs: number | undefined;
}

export interface RedrivenMessage {
  readonly deadLetterMessageId: string;
  /** The id it has on the source queue: new, as with an SQS move task. */
  readonly messageId: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  attributes: Readonly<Record<string, string>>;
  sentAtMs: number;
  visibleAtMs: number;
  receiveCount: number;
  /** The handle of the latest receive; earlier handles are stale. */
  receiptHandle: string | undefined;
  /** Send order, to break ties between messages visible at the same time. */
  sequence: number;
  /** Bumped on every visibility change and on removal; see VisibilityHeap. */
  version: number;
  groupId: string | undefined;
}

/** SQS's deduplication interval on FIFO queues. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

/** One queue and its dead-letter queue, in memory, with the SQS behaviour the engine relies on. */
export class MemoryQueue {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly byReceiptHandle = new Map<string, StoredMessage>();
  private readonly deadLetters = new Map<string, StoredMessage>();
  private readonly schedule: DeliveryLanes<StoredMessage>;
  /** FIFO: deduplication ids sent in the last 5 minutes, with the id of the message each one sent. */
  private readonly sentIds = new Map<string, { messageId: string; atMs: number }>();
  private nextSequence = 0;

  constructor(
    readonly name: string,
    private readonly maxReceiveCount: number,
    /** A FIFO queue: one message per group at a time, in order, and sends deduplicated for 5 minutes. */
    readonly fifo = false,
  ) {
    this.schedule = new DeliveryLanes(fifo);
  }

  add(message: OutgoingMessage, nowMs: number): string {
    const duplicate = this.duplicateOf(message, nowMs);
    if (duplicate !== undefined) return duplicate;
    const stored = newStoredMessage(message, nowMs, nowMs + message.delaySeconds * 1000, this.nextSequence++);
    this.messages.set(stored.messageId, stored);
    this.schedule.add(stored);
    if (this.fifo && message.deduplicationId !== undefined)
      this.sentIds.set(message.deduplicationId, { messageId: stored.messageId, atMs: nowMs });
    return stored.messageId;
  }

  /** As SQS: a FIFO send whose deduplication id was sent in the last 5 minutes succeeds and delivers nothing. */
  private duplicateOf(message: OutgoingMessage, nowMs: number): string | undefined {
    if (!this.fifo || message.deduplicationId === undefined) return undefined;
    for (const [id, sent] of this.sentIds) {
      if (nowMs - sent.atMs < DEDUPLICATION_WINDOW_MS) break; // in send order: the rest are newer
      this.sentIds.delete(id);
    }
    return this.sentIds.get(message.deduplicationId)?.messageId;
  }

  addDeadLetter(message: OutgoingMessage, nowMs: number): string {
    const stored = newStoredMessage(message, nowMs, nowMs, this.nextSequence++);
    this.deadLetters.set(stored.messageId, stored);
    return stored.messageId;
  }

  /**
   * Receives up to `max` visible messages in visibility order, each with a fresh receipt handle and one more
   * receive. A message past maxReceiveCount moves to the DLQ when this receive would have returned it, as SQS
   * does lazily, rather than when its visibility timeout runs out.
   */
  receive(
    nowMs: number,
    max: number,
    visibilityTimeoutMs: number,
  ): (PeekedMessage & { receiptHandle: string })[] {
    const received: (PeekedMessage & { receiptHandle: string })[] = [];
    while (received.length < max) {
      const next = this.schedule.next(nowMs);
      if (!next) break;
      if (next.receiveCount >= this.maxReceiveCount) {
        this.forget(next);
        // The redrive policy keeps the message id (only a move back, a redrive, gives a new one).
        this.deadLetters.set(next.messageId, { ...next, receiptHandle: undefined, visibleAtMs: nowMs });
        continue;
      }
      if (next.receiptHandle) this.byReceiptHandle.delete(next.receiptHandle);
      next.receiptHandle = `${next.messageId}:${randomUUID()}`;
      next.receiveCount += 1;
      this.reschedule(next, nowMs + visibilityTimeoutMs);
      this.byReceiptHandle.set(next.receiptHandle, next);
      received.push({ ...peek(next), receiptHandle: next.receiptHandle });
    }
    return received;
  }

  private reschedule(message: StoredMessage, visibleAtMs: number): void {
    message.visibleAtMs = visibleAtMs;
    message.version++;
    this.schedule.reschedule(message);
  }

  delete(receiptHandle: string): AckFailure | undefined {
    const message = this.byReceiptHandle.get(receiptHandle);
    if (!message) return invalidHandle(receiptHandle);
    this.forget(message);
    return undefined;
  }

  changeVisibility(
    receiptHandle: string,
    nowMs: number,
    visibilityTimeoutMs: number,
  ): AckFailure | undefined {
    const message = this.byReceiptHandle.get(receiptHandle);
    if (!message) return invalidHandle(receiptHandle);
    if (message.visibleAtMs <= nowMs) {
      return { receiptHandle, code: 'MessageNotInflight', message: 'The message is not in flight' };
    }
    this.reschedule(message, nowMs + visibilityTimeoutMs);
    return undefined;
  }

  peek(): PeekedMessage[] {
    return [...this.messages.values()].map(peek);
  }

  peekDeadLetters(): PeekedMessage[] {
    return [...this.deadLetters.values()].map(peek);
  }

  stats(nowMs: number): QueueStats {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    let oldestSentAtMs = Number.POSITIVE_INFINITY;
    for (const message of this.messages.values()) {
      if (message.visibleAtMs <= nowMs) visible++;
      else if (message.receiveCount > 0) inFlight++;
      else delayed++;
      oldestSentAtMs = Math.min(oldestSentAtMs, message.sentAtMs);
    }
    const oldestAgeMs = this.messages.size > 0 ? nowMs - oldestSentAtMs : undefined;
    return { visible, inFlight, delayed, deadLetters: this.deadLetters.size, oldestAgeMs };
  }

  nextVisibleAtMs(): number | undefined {
    return this.schedule.nextVisibleAtMs();
  }

  /** Moves dead letters (all, or the given ids) back to the queue as new messages, visible now. */
  redrive(nowMs: number, messageIds?: readonly string[]): RedrivenMessage[] {
    const selected = messageIds
      ? messageIds.flatMap((id) => this.deadLetters.get(id) ?? [])
      : [...this.deadLetters.values()];
    return selected.map((deadLetter) => {
      this.deadLetters.delete(deadLetter.messageId);
      // A move task keeps the message group (and, having no deduplication id, is never taken for a duplicate).
      const messageId = this.add(
        {
          body: deadLetter.body,
          attributes: deadLetter.attributes,
          delaySeconds: 0,
          ...(deadLetter.groupId === undefined ? {} : { groupId: deadLetter.groupId }),
        },
        nowMs,
      );
      return { deadLetterMessageId: deadLetter.messageId, messageId };
    });
  }

  /**
   * Puts back messages and dead letters as `peek`/`peekDeadLetters` showed them, ids and times kept (the embedded
   * engine's saved state). Receipt handles are not kept: a message that was in flight becomes visible when its
   * visibility timeout ends, as after a worker crash.
   */
  restore(messages: readonly PeekedMessage[], deadLetters: readonly PeekedMessage[]): void {
    const stored = (m: PeekedMessage): StoredMessage => ({
      ...m,
      attributes: { ...m.attributes },
      receiptHandle: undefined,
      sequence: this.nextSequence++,
      version: 0,
      groupId: m.groupId,
    });
    for (const message of messages) {
      const entry = stored(message);
      this.messages.set(entry.messageId, entry);
      this.schedule.add(entry);
    }
    for (const deadLetter of deadLetters) this.deadLetters.set(deadLetter.messageId, stored(deadLetter));
  }

  deleteDeadLetter(messageId: string): boolean {
    return this.deadLetters.delete(messageId);
  }

  private forget(message: StoredMessage): void {
    message.version++;
    this.schedule.remove(message);
    this.messages.delete(message.messageId);
    if (message.receiptHandle) this.byReceiptHandle.delete(message.receiptHandle);
  }
}

function newStoredMessage(
  message: OutgoingMessage,
  sentAtMs: number,
  visibleAtMs: number,
  sequence: number,
): StoredMessage {
  return {
    messageId: randomUUID(),
    body: message.body,
    attributes: { ...message.attributes },
    sentAtMs,
    visibleAtMs,
    receiveCount: 0,
    receiptHandle: undefined,
    sequence,
    version: 0,
    groupId: message.groupId,
  };
}

function peek(message: StoredMessage): PeekedMessage {
  const { messageId, body, attributes, sentAtMs, visibleAtMs, receiveCount, groupId } = message;
  const peeked = { messageId, body, attributes: { ...attributes }, sentAtMs, visibleAtMs, receiveCount };
  return groupId === undefined ? peeked : { ...peeked, groupId };
}

function invalidHandle(receiptHandle: string): AckFailure {
  // Stricter than SQS, which may accept a stale handle on delete without deleting: tests should see the mistake.
  return {
    receiptHandle,
    code: 'ReceiptHandleIsInvalid',
    message: 'The receipt handle is not the latest one for a message in this queue',
  };
}

/** A message to put on a queue. `queue` everywhere is the logical queue name (`'default'`), not a URL. */
export interface OutgoingMessage {
  readonly body: string;
  /** String attributes, shown in the SQS console beside the body. At most 10. */
  readonly attributes: Readonly<Record<string, string>>;
  /** 0-900 seconds. */
  readonly delaySeconds: number;
  /** SQS's MessageGroupId: the tenant on a standard queue (fair queues), the FIFO group on a FIFO queue. */
  readonly groupId?: string;
  /**
   * SQS's MessageDeduplicationId, sent on FIFO queues only (see `deduplicationIdOf`): a send with the same id
   * within 5 minutes of the first is dropped by SQS.
   */
  readonly deduplicationId?: string;
  /**
   * The producer's X-Ray trace header, sent as SQS's AWSTraceHeader system attribute: how X-Ray links the queue
   * to what consumes it. Not counted in the message's size (SQS does not count system attributes).
   */
  readonly traceHeader?: string;
}

/** A standard queue, or a FIFO queue (ordered message groups, no per-message delay). */
export type QueueKind = 'standard' | 'fifo';

export type SendOutcome =
  | { readonly ok: true; readonly messageId: string }
  /** `permanent` when resending the same entry cannot succeed (too large, invalid characters...). */
  | { readonly ok: false; readonly code: string; readonly message: string; readonly permanent: boolean };

/** The producing side of a queue: what the client and the engine need. */
export interface Transport {
  /**
   * Sends messages, in batches where the transport has them, and returns one outcome per message in input
   * order. Per-entry failures come back as outcomes (never thrown); transient ones are retried first.
   */
  send(queue: string, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]>;
  /** Puts one message on the queue's dead-letter queue. Throws unless the write is confirmed. */
  sendToDeadLetter(queue: string, message: OutgoingMessage): Promise<void>;
  /**
   * Whether the queue is FIFO, so the client can refuse a job that cannot go there (no `group`, a delay) at
   * enqueue rather than have the send fail. Throws ConfigError for an unknown queue.
   * @default every queue is standard (a transport without FIFO queues)
   */
  queueKind?(queue: string): QueueKind;
}

export interface ReceivedMessage {
  /** The transport's message id (changes on redrive: never an idempotency key). */
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly queue: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The transport's delivery count, for logs only; attempts come from the envelope and the store. */
  readonly receiveCount: number;
  /** The message's MessageGroupId, when it has one: its tenant on a standard queue, its group on a FIFO queue. */
  readonly groupId?: string;
  /**
   * Received from a FIFO queue: a retry or deferral waits in place (the message made visible again later) rather
   * than being sent again, which would put it behind the rest of its group.
   */
  readonly fifo?: boolean;
}

export interface ReceiveOptions {
  readonly maxMessages: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly signal?: AbortSignal;
}

export interface AckFailure {
  readonly receiptHandle: string;
  readonly code: string;
  readonly message: string;
}

/** The consuming side of a queue, for pollers (the worker process and the embedded engine). */
export interface Consumer {
  receive(queue: string, options: ReceiveOptions): Promise<ReceivedMessage[]>;
  /** Deletes messages; returns the ones that could not be deleted (checked entry by entry). */
  ack(queue: string, receiptHandles: readonly string[]): Promise<AckFailure[]>;
  /** Makes messages visible again after `visibilityTimeoutSeconds` (0: now); returns failures. */
  changeVisibility(
    queue: string,
    receiptHandles: readonly string[],
    visibilityTimeoutSeconds: number,
  ): Promise<AckFailure[]>;
}

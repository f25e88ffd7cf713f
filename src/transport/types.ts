/** A message to put on a queue. `queue` everywhere is the logical queue name (`'default'`), not a URL. */
export interface OutgoingMessage {
  readonly body: string;
  /** String attributes, shown in the SQS console beside the body. At most 10. */
  readonly attributes: Readonly<Record<string, string>>;
  /** 0-900 seconds. */
  readonly delaySeconds: number;
  /** SQS's MessageGroupId: the tenant on a standard queue (fair queues), the FIFO group on a FIFO queue. */
  readonly groupId?: string;
}

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

import type { AckFailure, OutgoingMessage, SendOutcome } from './types.js';

/**
 * The operator's side of the queues (DESIGN: ops/): counts, and the primitives dead-letter handling is built
 * from. Ops composes them (list without consuming, copy-then-delete redrive, discard); the adapters only speak
 * their queue service. `queue` is always the logical name (`'default'`), never a URL.
 */
export interface QueueAdmin {
  /** The queues this admin can see, in a stable order. */
  readonly queues: readonly string[];
  stats(queue: string): Promise<QueueCounts>;
  /**
   * Receives up to `max` dead letters (at most 10) and hides them for `holdSeconds`, so that the next call
   * returns others. Nothing is consumed: release or delete what was held, or it reappears once the hold ends.
   */
  holdDeadLetters(queue: string, options: HoldOptions): Promise<HeldMessage[]>;
  /** Makes held dead letters visible again now; returns the handles that could not be released. */
  releaseDeadLetters(queue: string, handles: readonly string[]): Promise<AckFailure[]>;
  /** Deletes held dead letters; returns the handles that were not confirmed deleted. */
  deleteDeadLetters(queue: string, handles: readonly string[]): Promise<AckFailure[]>;
  /** Sends messages to the queue itself (copies of dead letters); one outcome per message, checked one by one. */
  sendToQueue(queue: string, messages: readonly OutgoingMessage[]): Promise<SendOutcome[]>;
  /** Server-side redrive of every dead letter back to the queue, where the queue service has it. */
  readonly moveTasks?: MoveTaskAdmin;
}

export interface HoldOptions {
  readonly max: number;
  readonly holdSeconds: number;
}

export interface HeldMessage {
  /** The queue service's id of the dead letter; stable while it stays in the DLQ. */
  readonly messageId: string;
  /** For release and delete; valid while the hold lasts. */
  readonly handle: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** When it entered the DLQ (SQS keeps the original send time for messages its redrive policy moved). */
  readonly sentAtMs: number;
}

export interface QueueCounts {
  /** Receivable now. */
  readonly visible: number;
  /** Received by a worker and not yet deleted or released. */
  readonly inFlight: number;
  /** Sent with a delay that has not passed yet. */
  readonly delayed: number;
  /** Messages in the queue's DLQ (visible or held). */
  readonly deadLetters: number;
  /** Age of the oldest message of the queue, when the queue service reports it (SQS: only CloudWatch does). */
  readonly oldestAgeMs?: number;
}

export type MoveTaskStatus = 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';

export interface MoveTask {
  readonly status: MoveTaskStatus;
  readonly moved: number;
  /** How many were to move when the task started; absent when the service does not say. */
  readonly toMove?: number;
  readonly startedAtMs?: number;
  readonly failureReason?: string;
}

export type MoveTaskStart =
  | { readonly kind: 'started' }
  /** The endpoint has no move tasks (moto, older emulators): the caller falls back to copy-then-delete. */
  | { readonly kind: 'unsupported'; readonly why: string };

export interface MoveTaskAdmin {
  /** Starts moving every dead letter of `queue` back to `queue` (an explicit destination, never a guess). */
  start(queue: string, options: { readonly maxPerSecond?: number }): Promise<MoveTaskStart>;
  /** The most recent move tasks of the queue's DLQ, newest first. */
  list(queue: string): Promise<MoveTask[]>;
}

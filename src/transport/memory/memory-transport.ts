import type { Clock } from '../../clock.js';
import { ConfigError, InvalidOptionsError, TransportError } from '../../errors.js';
import {
  checkOutgoingMessage,
  fifoProblem,
  validateReceiveOptions,
  validateVisibilityTimeout,
} from '../message-limits.js';
import type { Consumer, OutgoingMessage, ReceivedMessage, SendOutcome, Transport } from '../types.js';
import { MemoryQueue, type PeekedMessage, type QueueStats, type RedrivenMessage } from './memory-queue.js';

export type { PeekedMessage, QueueStats, RedrivenMessage } from './memory-queue.js';

export interface MemoryTransportOptions {
  /** The only source of time: delays, visibility timeouts and ages are all measured on it. */
  readonly clock: Clock;
  /** The queues that exist; other names throw ConfigError. @default queues are created on first use */
  readonly queues?: readonly string[];
  /** Receives after which the next receive moves a message to its DLQ, as in an SQS redrive policy. @default 5 */
  readonly maxReceiveCount?: number;
  /** The queue's visibility timeout, used when a receive does not give one (as SQS does). @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /**
   * Queues that are FIFO queues, as `fifo: true` makes them in the construct: one message per group at a time, in
   * send order; every message needs a group and none may have a delay; sends deduplicated for 5 minutes.
   * @default none
   */
  readonly fifoQueues?: readonly string[];
}

export interface InjectedSendFailure {
  /** @default 'InternalError' */
  readonly code?: string;
  /** @default false */
  readonly permanent?: boolean;
}

/**
 * Transport and Consumer in memory, for the embedded engine and tests. Faithful to the SQS behaviour the engine
 * relies on: per-message delays, visibility timeouts, a new receipt handle per receive, a DLQ per queue filled
 * lazily past maxReceiveCount, new message ids on redrive, and SQS's message limits. Tenants (a MessageGroupId on
 * a standard queue) are served round-robin, as SQS fair queues aim to; FIFO queues (`fifoQueues`) hand out one
 * message per group at a time, in order.
 *
 * Receives never wait: with `waitTimeSeconds > 0` they return at once with what is visible, because whoever
 * drives this transport also drives its clock (see `nextVisibleAtMs`), and a long poll on real time would stall
 * a fast-forwarding engine.
 */
export interface MemoryTransport extends Transport, Consumer {
  /** Messages of the queue (not its DLQ), in send order, without receiving them. */
  peek(queue: string): PeekedMessage[];
  peekDeadLetters(queue: string): PeekedMessage[];
  stats(queue: string): QueueStats;
  /**
   * The earliest time a message of the queue (or of any queue) is or becomes visible, so a fast-forwarding clock
   * can jump to it. At or before now when something is receivable; undefined when the queues are empty.
   */
  nextVisibleAtMs(queue?: string): number | undefined;
  /** Moves dead letters (all, or those given) back to their queue as new messages, like an SQS redrive. */
  redrive(queue: string, options?: { readonly messageIds?: readonly string[] }): RedrivenMessage[];
  /** Deletes one dead letter; false when there was none with that id. */
  deleteDeadLetter(queue: string, messageId: string): boolean;
  /**
   * Fails the next `count` messages given to `send` (each gets this failure as its outcome, no internal retry) or
   * to `sendToDeadLetter` (which throws). Messages that fail validation do not use one up.
   */
  failNextSends(count: number, failure?: InjectedSendFailure): void;
  /** The queues that exist now. */
  queueNames(): string[];
  /** Puts back what `peek` and `peekDeadLetters` returned, ids and times kept (a saved embedded engine). */
  restore(
    queue: string,
    saved: { readonly messages: readonly PeekedMessage[]; readonly deadLetters: readonly PeekedMessage[] },
  ): void;
}

export function createMemoryTransport(options: MemoryTransportOptions): MemoryTransport {
  const settings = resolveOptions(options);
  const fifo = new Set(options.fifoQueues ?? []);
  const queues = createQueueRegistry(options.queues, settings.maxReceiveCount, fifo);
  const faults = createFaultInjector();
  const { clock } = options;
  return {
    ...producer(queues, faults, clock),
    queueKind: (queue) => (queues.get(queue).fifo ? 'fifo' : 'standard'),
    ...consumer(queues, clock, settings.visibilityTimeoutSeconds),
    peek: (queue) => queues.get(queue).peek(),
    peekDeadLetters: (queue) => queues.get(queue).peekDeadLetters(),
    stats: (queue) => queues.get(queue).stats(clock.nowMs()),
    nextVisibleAtMs: (queue) =>
      earliest((queue ? [queues.get(queue)] : queues.all()).map((q) => q.nextVisibleAtMs())),
    redrive: (queue, redriveOptions) => queues.get(queue).redrive(clock.nowMs(), redriveOptions?.messageIds),
    deleteDeadLetter: (queue, messageId) => queues.get(queue).deleteDeadLetter(messageId),
    failNextSends: faults.failNext,
    queueNames: () => queues.all().map((q) => q.name),
    restore: (queue, saved) => queues.get(queue).restore(saved.messages, saved.deadLetters),
  };
}

type QueueRegistry = ReturnType<typeof createQueueRegistry>;
type FaultInjector = ReturnType<typeof createFaultInjector>;

function producer(queues: QueueRegistry, faults: FaultInjector, clock: Clock): Transport {
  return {
    send: async (queue, messages) => {
      const target = queues.get(queue);
      return messages.map((message): SendOutcome => {
        const problem = checkOutgoingMessage(message) ?? fifoCheck(target, message) ?? faults.take();
        if (problem) return problem;
        return { ok: true, messageId: target.add(message, clock.nowMs()) };
      });
    },
    sendToDeadLetter: async (queue, message) => {
      const target = queues.get(queue);
      const problem = checkOutgoingMessage(message) ?? fifoCheck(target, message) ?? faults.take();
      if (problem) {
        throw new TransportError(
          `Dead letter for queue "${queue}" refused (${problem.code}): ${problem.message}`,
        );
      }
      target.addDeadLetter(message, clock.nowMs());
    },
  };
}

function consumer(queues: QueueRegistry, clock: Clock, defaultVisibilityTimeoutSeconds: number): Consumer {
  return {
    receive: async (queue, receiveOptions) => {
      // Plain-JS callers may leave it out; SQS then applies the queue's own visibility timeout.
      const visibilityTimeoutSeconds =
        receiveOptions.visibilityTimeoutSeconds ?? defaultVisibilityTimeoutSeconds;
      validateReceiveOptions({ ...receiveOptions, visibilityTimeoutSeconds });
      const target = queues.get(queue);
      if (receiveOptions.signal?.aborted) return [];
      const received = target.receive(
        clock.nowMs(),
        receiveOptions.maxMessages,
        visibilityTimeoutSeconds * 1000,
      );
      return received.map(
        ({ messageId, receiptHandle, body, attributes, receiveCount, groupId }): ReceivedMessage => ({
          messageId,
          receiptHandle,
          body,
          queue,
          attributes,
          receiveCount,
          ...(groupId === undefined ? {} : { groupId }),
          ...(target.fifo ? { fifo: true } : {}),
        }),
      );
    },
    ack: async (queue, receiptHandles) => {
      const target = queues.get(queue);
      return receiptHandles.flatMap((handle) => target.delete(handle) ?? []);
    },
    changeVisibility: async (queue, receiptHandles, visibilityTimeoutSeconds) => {
      validateVisibilityTimeout(visibilityTimeoutSeconds);
      const target = queues.get(queue);
      const nowMs = clock.nowMs();
      return receiptHandles.flatMap(
        (handle) => target.changeVisibility(handle, nowMs, visibilityTimeoutSeconds * 1000) ?? [],
      );
    },
  };
}

function resolveOptions(options: MemoryTransportOptions) {
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const problems: string[] = [];
  // SQS's own bounds for a redrive policy's maxReceiveCount.
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
    problems.push(`maxReceiveCount: a whole number from 1 to 1000, received ${maxReceiveCount}`);
  }
  if (
    !Number.isInteger(visibilityTimeoutSeconds) ||
    visibilityTimeoutSeconds < 0 ||
    visibilityTimeoutSeconds > 43_200
  ) {
    problems.push(
      `visibilityTimeoutSeconds: a whole number from 0 to 43200, received ${visibilityTimeoutSeconds}`,
    );
  }
  if (problems.length > 0) throw new InvalidOptionsError('memory transport options', problems);
  return { maxReceiveCount, visibilityTimeoutSeconds };
}

/** A FIFO queue's (and its DLQ's) rules, as the SQS transport checks them before sending. */
function fifoCheck(queue: MemoryQueue, message: OutgoingMessage) {
  return queue.fifo ? fifoProblem(message) : undefined;
}

function createQueueRegistry(
  fixed: readonly string[] | undefined,
  maxReceiveCount: number,
  fifo: ReadonlySet<string>,
) {
  const queues = new Map<string, MemoryQueue>();
  for (const name of fixed ?? []) queues.set(name, new MemoryQueue(name, maxReceiveCount, fifo.has(name)));
  return {
    get(name: string): MemoryQueue {
      const existing = queues.get(name);
      if (existing) return existing;
      if (fixed) {
        const known = fixed.map((q) => `"${q}"`).join(', ') || '(none)';
        throw new ConfigError(`Unknown queue "${name}". Known queues: ${known}.`);
      }
      const created = new MemoryQueue(name, maxReceiveCount, fifo.has(name));
      queues.set(name, created);
      return created;
    },
    all: (): MemoryQueue[] => [...queues.values()],
  };
}

function createFaultInjector() {
  let remaining = 0;
  let failure: Required<InjectedSendFailure> = { code: 'InternalError', permanent: false };
  return {
    failNext(count: number, injected: InjectedSendFailure = {}): void {
      remaining = count;
      failure = { code: injected.code ?? 'InternalError', permanent: injected.permanent ?? false };
    },
    take(): Extract<SendOutcome, { ok: false }> | undefined {
      if (remaining <= 0) return undefined;
      remaining--;
      return {
        ok: false,
        code: failure.code,
        message: 'Injected send failure (failNextSends)',
        permanent: failure.permanent,
      };
    },
  };
}

function earliest(times: readonly (number | undefined)[]): number | undefined {
  const defined = times.filter((t): t is number => t !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}

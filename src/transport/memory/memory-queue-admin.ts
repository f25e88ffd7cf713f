import type { Clock } from '../../clock.js';
import type { HeldMessage, MoveTask, MoveTaskAdmin, QueueAdmin } from '../admin-types.js';
import type { AckFailure } from '../types.js';
import type { MemoryTransport } from './memory-transport.js';

export interface MemoryQueueAdminOptions {
  readonly transport: MemoryTransport;
  /** The transport's clock: holds end on it. */
  readonly clock: Clock;
  /** @default the queues that exist in the transport when the admin is created */
  readonly queues?: readonly string[];
}

interface Hold {
  readonly handle: string;
  readonly untilMs: number;
}

/**
 * QueueAdmin over the memory transport, for the embedded engine. The memory DLQ has no visibility of its own, so
 * holds are kept here, with SQS's rules: a held dead letter is not returned again until released or its hold
 * ends, and only the handle of the latest hold can release or delete it.
 */
export function createMemoryQueueAdmin(options: MemoryQueueAdminOptions): QueueAdmin {
  const { transport, clock } = options;
  const holds = new Map<string, Map<string, Hold>>();
  const holdsOf = (queue: string) => {
    const existing = holds.get(queue);
    if (existing) return existing;
    const created = new Map<string, Hold>();
    holds.set(queue, created);
    return created;
  };
  let sequence = 0;
  const isHeld = (queue: string, messageId: string) =>
    (holdsOf(queue).get(messageId)?.untilMs ?? Number.NEGATIVE_INFINITY) > clock.nowMs();
  /** The message id a handle belongs to, when it is the latest handle of that message. */
  const heldBy = (queue: string, handle: string): string | undefined => {
    const messageId = handle.slice(0, handle.lastIndexOf('#'));
    return holdsOf(queue).get(messageId)?.handle === handle ? messageId : undefined;
  };
  return {
    queues: options.queues ?? transport.queueNames(),
    stats: async (queue) => transport.stats(queue),
    holdDeadLetters: async (queue, { max, holdSeconds }) => {
      const untilMs = clock.nowMs() + holdSeconds * 1000;
      const free = transport.peekDeadLetters(queue).filter((m) => !isHeld(queue, m.messageId));
      return free.slice(0, max).map((m): HeldMessage => {
        const handle = `${m.messageId}#${++sequence}`;
        holdsOf(queue).set(m.messageId, { handle, untilMs });
        return {
          messageId: m.messageId,
          handle,
          body: m.body,
          attributes: m.attributes,
          sentAtMs: m.sentAtMs,
        };
      });
    },
    releaseDeadLetters: async (queue, handles) =>
      handles.flatMap((handle): AckFailure[] => {
        const messageId = heldBy(queue, handle);
        if (messageId === undefined) return [staleHandle(handle)];
        holdsOf(queue).delete(messageId);
        return [];
      }),
    deleteDeadLetters: async (queue, handles) =>
      handles.flatMap((handle): AckFailure[] => {
        const messageId = heldBy(queue, handle);
        if (messageId === undefined || !transport.deleteDeadLetter(queue, messageId))
          return [staleHandle(handle)];
        holdsOf(queue).delete(messageId);
        return [];
      }),
    sendToQueue: (queue, messages) => transport.send(queue, messages),
    moveTasks: memoryMoveTasks(transport, (queue, id) => isHeld(queue, id), clock),
  };
}

/** The memory transport's redrive, shaped like an SQS move task that finishes at once. */
function memoryMoveTasks(
  transport: MemoryTransport,
  isHeld: (queue: string, messageId: string) => boolean,
  clock: Clock,
): MoveTaskAdmin {
  const tasks = new Map<string, MoveTask[]>();
  return {
    start: async (queue) => {
      // Like SQS, a move task leaves messages that someone holds right now where they are.
      const ids = transport
        .peekDeadLetters(queue)
        .map((m) => m.messageId)
        .filter((id) => !isHeld(queue, id));
      const moved = transport.redrive(queue, { messageIds: ids }).length;
      const task: MoveTask = { status: 'COMPLETED', moved, toMove: ids.length, startedAtMs: clock.nowMs() };
      tasks.set(queue, [task, ...(tasks.get(queue) ?? [])]);
      return { kind: 'started' };
    },
    list: async (queue) => [...(tasks.get(queue) ?? [])],
  };
}

function staleHandle(handle: string): AckFailure {
  return {
    receiptHandle: handle,
    code: 'ReceiptHandleIsInvalid',
    message: 'the dead letter is no longer held with this handle',
  };
}

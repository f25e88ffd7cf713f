import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import { LaneTurns } from '../job/lane-turns.js';
import type { LaneTarget } from '../job/lanes.js';
import type { Consumer, ReceivedMessage } from '../transport/types.js';

/** What the poll loops of one worker share: its slots, its consumer and how it hands a message on. */
export interface PollContext {
  readonly consumer: Consumer;
  readonly clock: Clock;
  readonly concurrency: number;
  readonly waitTimeSeconds: number;
  readonly visibility: number;
  readonly idlePauseMs: number;
  readonly stopping: AbortSignal;
  readonly warn: (message: string) => void;
  /** Jobs running now. */
  running(): number;
  /** Starts a received message's run; `run` counts it until it settles. */
  start(message: ReceivedMessage): void;
  /** Resolves when a slot may have come free (a run ended, a receive came back short). */
  waitForSlot(): Promise<void>;
  wakeAll(): void;
  /** Called after a receive that returned messages: acks gathered so far go out. */
  flushAcks(): void;
}

/**
 * Slots promised to receives in flight, across every queue of the worker: the queues are polled at once, and
 * each must leave room for the others' messages, or N queues would run N x concurrency jobs.
 */
export class SlotReservations {
  reserved = 0;
}

/**
 * Polls one queue until the worker stops: its lanes by weight when it has them (see LaneTurns), else the queue.
 *
 * While work comes, each receive takes up to 10 messages from the lane whose turn it is, and from the next lane by
 * weight when that one is empty (no long poll: an empty lane must not hold the turn for 20 s). When every lane was
 * empty, the queue waits on a long poll of each lane at once, one message each, so a message on any lane ends the
 * wait; a queue without lanes does the same with its one queue, holding one slot instead of ten while idle.
 */
export async function pollQueue(
  ctx: PollContext,
  slots: SlotReservations,
  targets: readonly LaneTarget[],
): Promise<void> {
  const turns = new LaneTurns(targets.map((t) => t.weight));
  const byWeight = turns.order();
  // A queue without lanes starts as if idle (one message, long poll); lanes start with a weighted round, as a
  // queue that has work to share out.
  let idle = targets.length === 1;
  while (!ctx.stopping.aborted) {
    const free = ctx.concurrency - ctx.running() - slots.reserved;
    if (free <= 0) {
      await ctx.waitForSlot();
      continue;
    }
    const waiting: boolean = idle || targets.length === 1;
    // Idle: one message from each lane (as many lanes as there are free slots, highest weight first).
    const polled = waiting ? byWeight.slice(0, Math.min(free, targets.length)) : turns.next();
    const asked: number = waiting
      ? targets.length === 1 && !idle
        ? Math.min(10, free)
        : 1
      : Math.min(10, free);
    const held = waiting ? asked * polled.length : asked;
    slots.reserved += held;
    const result: Received = waiting
      ? await receiveEach(
          ctx,
          polled.map((i) => targets[i]!.address),
          asked,
          ctx.waitTimeSeconds,
        )
      : await receiveFirst(
          ctx,
          polled.map((i) => targets[i]!.address),
          asked,
        );
    slots.reserved -= held;
    idle = result.messages.length === 0;
    // Slots this receive held but did not fill are free again for the queues waiting on them.
    if (result.messages.length < held) ctx.wakeAll();
    // A failed receive, or an empty one without long polling, waits before the next: no paid busy loop.
    if (result.failed || (idle && ctx.waitTimeSeconds === 0))
      await ctx.clock.sleep(ctx.idlePauseMs, ctx.stopping).catch(() => undefined);
    for (const message of result.messages) ctx.start(message);
    if (result.messages.length > 0) ctx.flushAcks();
  }
}

interface Received {
  readonly messages: ReceivedMessage[];
  readonly failed: boolean;
}

/** Long polls of every address at once: the wait ends for each as soon as its own queue has a message. */
async function receiveEach(
  ctx: PollContext,
  addresses: readonly string[],
  maxMessages: number,
  waitTimeSeconds: number,
): Promise<Received> {
  const results = await Promise.all(addresses.map((a) => receive(ctx, a, maxMessages, waitTimeSeconds)));
  return { messages: results.flatMap((r) => r.messages), failed: results.some((r) => r.failed) };
}

/** Short polls in turn order until one address gives messages: the chosen lane, then the others by weight. */
async function receiveFirst(
  ctx: PollContext,
  addresses: readonly string[],
  maxMessages: number,
): Promise<Received> {
  let failed = false;
  for (const address of addresses) {
    if (ctx.stopping.aborted) break;
    const result = await receive(ctx, address, maxMessages, 0);
    failed ||= result.failed;
    if (result.messages.length > 0) return { messages: result.messages, failed };
  }
  return { messages: [], failed };
}

async function receive(
  ctx: PollContext,
  address: string,
  maxMessages: number,
  waitTimeSeconds: number,
): Promise<Received> {
  try {
    const messages = await ctx.consumer.receive(address, {
      maxMessages,
      waitTimeSeconds,
      visibilityTimeoutSeconds: ctx.visibility,
      signal: ctx.stopping,
    });
    return { messages, failed: false };
  } catch (error) {
    ctx.warn(`receive from ${address} failed: ${errorMessage(error)}`);
    return { messages: [], failed: true };
  }
}

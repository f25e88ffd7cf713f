import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import { LaneTurns } from '../job/lane-turns.js';
import { type LaneTarget, logicalQueueOf } from '../job/lanes.js';
import { SQS_LIMITS } from '../transport/message-limits.js';
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
  /** Starts the runs of a receive's messages (a FIFO group's one after another); `running` counts each. */
  startAll(messages: readonly ReceivedMessage[]): void;
  /** Resolves when a slot may have come free (a run ended, a receive came back short). */
  waitForSlot(): Promise<void>;
  wakeAll(): void;
  /** Called after a receive that returned messages: acks gathered so far go out. */
  flushAcks(): void;
  /** Whether the queue (all its lanes) is paused; absent without a store. */
  readonly isPaused?: (queue: string) => Promise<boolean>;
  /** How long a paused queue's loop sleeps before it looks again. */
  readonly pausedWaitMs: number;
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
 * empty, the queue waits on a long poll of each lane at once, one message each (one slot per lane), so a message
 * on any lane ends the wait; a queue without lanes does the same with its one queue, holding one slot instead of
 * ten while idle. A worker with fewer free slots than lanes long-polls only that many lanes, a different set each
 * time by turn, for at most a second, so no lane waits more than a few seconds to be looked at.
 */
export async function pollQueue(
  ctx: PollContext,
  slots: SlotReservations,
  targets: readonly LaneTarget[],
): Promise<void> {
  const turns = new LaneTurns(targets.map((t) => t.weight));
  // A queue without lanes starts as if idle (one message, long poll); lanes start with a weighted round, as a
  // queue that has work to share out.
  let idle = targets.length === 1;
  const queue = logicalQueueOf(targets[0]!.address);
  while (!ctx.stopping.aborted) {
    if (ctx.isPaused && (await ctx.isPaused(queue))) {
      await ctx.clock.sleep(ctx.pausedWaitMs, ctx.stopping).catch(() => undefined);
      continue;
    }
    const free = ctx.concurrency - ctx.running() - slots.reserved;
    if (free <= 0) {
      await ctx.waitForSlot();
      continue;
    }
    const round = planRound(turns, targets.length, idle, free, ctx.waitTimeSeconds);
    const addresses = round.lanes.map((i) => targets[i]!.address);
    const held = round.firstOnly ? round.each : round.each * addresses.length;
    slots.reserved += held;
    const result = round.firstOnly
      ? await receiveFirst(ctx, addresses, round.each)
      : await receiveEach(ctx, addresses, round.each, round.wait);
    slots.reserved -= held;
    idle = result.messages.length === 0;
    // Slots this receive held but did not fill are free again for the queues waiting on them.
    if (result.messages.length < held) ctx.wakeAll();
    // A failed receive, or an empty one without long polling, waits before the next: no paid busy loop.
    if (result.failed || (idle && ctx.waitTimeSeconds === 0))
      await ctx.clock.sleep(ctx.idlePauseMs, ctx.stopping).catch(() => undefined);
    ctx.startAll(result.messages);
    if (result.messages.length > 0) ctx.flushAcks();
  }
}

/** One round of receives: these lanes, this many messages each, waiting up to `wait` seconds. */
interface Round {
  readonly lanes: readonly number[];
  readonly each: number;
  readonly wait: number;
  /** Short polls in turn until one lane gives messages, rather than one receive per lane at once. */
  readonly firstOnly: boolean;
}

function planRound(
  turns: LaneTurns,
  lanes: number,
  idle: boolean,
  free: number,
  waitTimeSeconds: number,
): Round {
  if (lanes === 1)
    return {
      lanes: [0],
      each: idle ? 1 : Math.min(SQS_LIMITS.maxBatchEntries, free),
      wait: waitTimeSeconds,
      firstOnly: false,
    };
  if (!idle)
    return {
      lanes: turns.next(),
      each: Math.min(SQS_LIMITS.maxBatchEntries, free),
      wait: 0,
      firstOnly: true,
    };
  if (free >= lanes) return { lanes: turns.order(), each: 1, wait: waitTimeSeconds, firstOnly: false };
  return {
    lanes: turns.next().slice(0, free),
    each: 1,
    wait: Math.min(waitTimeSeconds, 1),
    firstOnly: false,
  };
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

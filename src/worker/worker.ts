import { type Clock, systemClock } from '../clock.js';
import { wholeNumberProblem } from '../config/whole-number.js';
import { DEFAULT_CONCURRENCY } from '../engine/concurrency.js';
import { createEngine } from '../engine/engine.js';
import { PauseCache } from '../engine/pause-cache.js';
import { type Settlement, settle } from '../engine/settle-messages.js';
import type { Disposition, EngineOptions } from '../engine/types.js';
import { ConfigError, InvalidOptionsError } from '../errors.js';
import { type Duration, toMs } from '../job/duration.js';
import { type LaneMap, lanesOf, laneTargets } from '../job/lanes.js';
import type { Consumer, ReceivedMessage } from '../transport/types.js';
import { AckBuffer } from './ack-buffer.js';
import { heartbeat } from './heartbeat.js';
import { type PollContext, pollQueue, SlotReservations } from './poll-queue.js';

export interface WorkerOptions extends EngineOptions {
  readonly consumer: Consumer;
  /** Queues to poll. @default every queue in the registry */
  readonly queues?: readonly string[];
  /**
   * The queues' priority lanes: a queue with lanes is polled lane by lane, by weight (README "Priority lanes").
   * `createWorkerFromEnv` reads them from WHARF_LANES_<QUEUE>. @default none: each queue is one queue
   */
  readonly lanes?: LaneMap;
  /** Jobs running at once across all queues, 1 to 1000. @default 10 */
  readonly concurrency?: number;
  /** Long-poll wait, 0 to 20 s. @default 20 */
  readonly waitTimeSeconds?: number;
  /** Visibility of a received message (1 to 43200 s); extended by heartbeats while its job runs. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** How long a released message stays hidden before it comes back. @default 10 */
  readonly releaseDelaySeconds?: number;
  /** With `waitTimeSeconds: 0`, the pause after an empty receive, so an idle worker does not spin. @default 1000 */
  readonly idlePauseMs?: number;
  /** Called when the worker cannot do something and moves on (poll errors, failed deletes). */
  readonly onWarning?: (message: string) => void;
  /**
   * How often the per-job-type metrics (`metrics`) are written, on the wall clock; once more when the worker
   * stops. A minute is CloudWatch's standard resolution: flushing more often only writes more lines. @default '1m'
   */
  readonly metricsFlushInterval?: Duration;
}

export interface Worker {
  /** Polls until `stop()`; resolves once stopped. */
  run(): Promise<void>;
  /**
   * Stops polling and waits up to `graceMs` for running jobs. Jobs still running then are abandoned: their
   * `ctx.signal` aborts, their exactly-once lease is given back and their message made visible at once, so another
   * worker runs them without waiting and without using an attempt. Nothing is lost either way.
   */
  stop(graceMs?: number): Promise<void>;
  readonly inFlight: number;
}

/** A long-running SQS poller driving the same engine as the Lambda handler: containers, long jobs, local runs. */
export function createWorker(options: WorkerOptions): Worker {
  const queues = options.queues ?? options.registry.queues;
  if (queues.length === 0) throw new ConfigError('The worker has no queues to poll.');
  const clock: Clock = options.clock ?? systemClock;
  const { concurrency, waitTimeSeconds, visibility, releaseDelaySeconds, idlePauseMs } =
    resolveWorkerOptions(options);
  // A worker runs long jobs: it watches them for `cancel` unless told not to (README "Cancel").
  const engine = createEngine({ ...options, cancelCheck: options.cancelCheck ?? '5s' });
  const warn = options.onWarning ?? ((m: string) => console.warn(`[wharf worker] ${m}`));
  const acks = new AckBuffer(
    options.consumer,
    (queue, n) => warn(`${n} delete(s) failed on ${queue}; those messages will come back`),
    clock,
  );
  const running = new Map<string, { queue: string; done: Promise<void> }>();
  const stopping = new AbortController();
  /** Aborts once the grace is over: running jobs are abandoned (see Worker.stop). */
  const abandoning = new AbortController();
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  // Acks wait in the buffer for a DeleteMessageBatch; a release comes back at once when the worker is abandoning
  // its runs (another worker should take them now), else after the release delay.
  const settlement: Settlement = {
    ack: (message) => acks.add(message.queue, message.receiptHandle),
    release: (message) =>
      options.consumer
        .changeVisibility(
          message.queue,
          [message.receiptHandle],
          abandoning.signal.aborted ? 0 : releaseDelaySeconds,
        )
        .catch(() => []),
    // A FIFO retry or deferral: if this fails, the message comes back when its visibility runs out, sooner.
    wait: (message, seconds) =>
      options.consumer.changeVisibility(message.queue, [message.receiptHandle], seconds).catch(() => []),
  };
  const processOptions = { signal: abandoning.signal };
  /** Runs one message; true when it was acked (a FIFO group goes on only then). */
  const handle = async (message: ReceivedMessage): Promise<boolean> => {
    const beat = heartbeat(options.consumer, message, visibility, clock, warn);
    let disposition: Disposition;
    try {
      disposition = await engine.process(message, processOptions);
    } finally {
      // Stopped before the settlement: a heartbeat landing after a wait in place would cut the wait short.
      await beat.stop();
    }
    const settled = settle(message, disposition, settlement);
    if (settled instanceof Promise) await settled;
    return disposition.action === 'ack';
  };

  // A paused queue is not received from (the store's pause, read as often as the engine reads it): its messages
  // wait in SQS instead of being received only to be put off. Checked before each receive, so a pause holds from
  // the next receive on; a receive already waiting returns what it gets, and the engine puts those jobs off.
  const refreshMs = toMs(options.pauseRefresh ?? '5s', 'pauseRefresh');
  const pauses = options.store ? new PauseCache(options.store, refreshMs) : undefined;
  const pausedWaitMs = Math.max(refreshMs, idlePauseMs, MIN_PAUSED_WAIT_MS);

  const slots = new SlotReservations();
  const poll: PollContext = {
    consumer: options.consumer,
    clock,
    concurrency,
    waitTimeSeconds,
    visibility,
    idlePauseMs,
    stopping: stopping.signal,
    warn,
    running: () => running.size,
    startAll: (messages) => {
      for (const line of inOrder(messages)) {
        // One line runs one message after another; once one is not acked, the rest of its group come back unrun.
        let previous = Promise.resolve(true);
        for (const message of line) {
          const done = previous
            .then((go) => (go ? handle(message) : releaseBehind(message)))
            .finally(() => {
              running.delete(message.receiptHandle);
              wakeAll();
            });
          previous = done;
          running.set(message.receiptHandle, { queue: message.queue, done: done.then(() => undefined) });
        }
      }
    },
    waitForSlot: () => new Promise<void>((resolve) => waiters.push(resolve)),
    wakeAll,
    flushAcks: () => void acks.flush(),
    isPaused: pauses ? (queue) => pauses.isQueuePaused(queue, clock.nowMs()) : undefined,
    pausedWaitMs,
  };

  // Visible again at once, not after the release delay: SQS hands out none of a FIFO group's messages while an
  // earlier one is in flight (or waits in place), so it cannot overtake, and its group does not stall behind it.
  const releaseBehind = async (message: ReceivedMessage): Promise<boolean> => {
    await options.consumer.changeVisibility(message.queue, [message.receiptHandle], 0).catch(() => []);
    return false;
  };

  const metricsFlushMs = toMs(options.metricsFlushInterval ?? '1m', 'metricsFlushInterval');
  let flushTimer: ReturnType<typeof setInterval> | undefined;

  let loop: Promise<void> | undefined;
  return {
    get inFlight() {
      return running.size;
    },
    run() {
      const metrics = options.metrics;
      if (metrics && !flushTimer) {
        flushTimer = setInterval(() => metrics.flush(), metricsFlushMs);
        // A timer must not keep a process alive that has nothing else to do.
        flushTimer.unref?.();
      }
      loop ??= Promise.all(
        queues.map((queue) => pollQueue(poll, slots, laneTargets(queue, lanesOf(options.lanes, queue)))),
      ).then(() => undefined);
      return loop;
    },
    async stop(graceMs = 30_000) {
      stopping.abort();
      wakeAll();
      await loop;
      const all = Promise.all([...running.values()].map((r) => r.done));
      const grace = new AbortController();
      const timedOut = await Promise.race([
        all.then(() => false),
        clock.sleep(graceMs, grace.signal).then(
          () => true,
          () => false,
        ),
      ]);
      grace.abort();
      if (timedOut) {
        abandoning.abort();
        // Abandoned runs settle at once (the engine does not wait for a job that ignores its signal); the
        // fallback only covers a store or queue call that hangs.
        const fallback = new AbortController();
        const settled = await Promise.race([
          all.then(() => true),
          clock.sleep(5_000, fallback.signal).then(
            () => false,
            () => true,
          ),
        ]);
        fallback.abort();
        if (!settled) await releaseUnfinished(options.consumer, running, warn);
      }
      await acks.flush();
      if (flushTimer) clearInterval(flushTimer);
      flushTimer = undefined;
      options.metrics?.flush();
    },
  };
}

/** A paused queue is looked at again after this long at least, even with `pauseRefresh: 0`: no busy loop. */
const MIN_PAUSED_WAIT_MS = 100;

/**
 * The lines a receive runs in: every message alone, except on a FIFO queue, where a group's messages (SQS hands
 * them out in order) make one line, so a message never runs before the one ahead of it in its group has settled.
 */
function inOrder(messages: readonly ReceivedMessage[]): ReceivedMessage[][] {
  if (!messages.some((m) => m.fifo)) return messages.map((m) => [m]);
  const groups = new Map<string, ReceivedMessage[]>();
  for (const message of messages) {
    const key = message.groupId ?? message.receiptHandle;
    const line = groups.get(key);
    if (line) line.push(message);
    else groups.set(key, [message]);
  }
  return [...groups.values()];
}

/** Every worker default in one place; out-of-range values are reported together (SQS would reject them later). */
function resolveWorkerOptions(options: WorkerOptions) {
  const resolved = {
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    // At least 1 s: heartbeats run every half visibility timeout.
    visibility: options.visibilityTimeoutSeconds ?? 60,
    releaseDelaySeconds: options.releaseDelaySeconds ?? 10,
    idlePauseMs: options.idlePauseMs ?? 1000,
  };
  const problems = [
    wholeNumberProblem('concurrency', resolved.concurrency, 1, 1000),
    wholeNumberProblem('waitTimeSeconds', resolved.waitTimeSeconds, 0, 20),
    wholeNumberProblem('visibilityTimeoutSeconds', resolved.visibility, 1, 43_200),
    wholeNumberProblem('releaseDelaySeconds', resolved.releaseDelaySeconds, 0, 43_200),
    wholeNumberProblem('idlePauseMs', resolved.idlePauseMs, 0, 3_600_000),
  ].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new InvalidOptionsError('worker options', problems);
  return resolved;
}

async function releaseUnfinished(
  consumer: Consumer,
  running: Map<string, { queue: string }>,
  warn: (m: string) => void,
) {
  for (const [receiptHandle, { queue }] of running) {
    const failures = await consumer
      .changeVisibility(queue, [receiptHandle], 0)
      .catch(() => [{ receiptHandle }]);
    if (failures.length > 0)
      warn(`could not release a running message on ${queue}; it comes back after its visibility timeout`);
  }
}

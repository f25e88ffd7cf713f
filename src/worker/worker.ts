import { type Clock, systemClock } from '../clock';
import { createEngine } from '../engine/engine';
import type { EngineOptions } from '../engine/types';
import { ConfigError } from '../errors';
import type { Consumer, ReceivedMessage } from '../transport/types';
import { AckBuffer } from './ack-buffer';
import { heartbeat } from './heartbeat';

export interface WorkerOptions extends EngineOptions {
  readonly consumer: Consumer;
  /** Queues to poll. @default every queue in the registry */
  readonly queues?: readonly string[];
  /** Jobs running at once across all queues. @default 10 */
  readonly concurrency?: number;
  /** Long-poll wait. @default 20 */
  readonly waitTimeSeconds?: number;
  /** Visibility of a received message; extended by heartbeats while its job runs. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** How long a released message stays hidden before it comes back. @default 10 */
  readonly releaseDelaySeconds?: number;
  /** Called when the worker cannot do something and moves on (poll errors, failed deletes). */
  readonly onWarning?: (message: string) => void;
}

export interface Worker {
  /** Polls until `stop()`; resolves once stopped. */
  run(): Promise<void>;
  /**
   * Stops polling, waits up to `graceMs` for running jobs, then makes any still running visible again so another
   * worker picks them up. Nothing is lost either way.
   */
  stop(graceMs?: number): Promise<void>;
  readonly inFlight: number;
}

/** A long-running SQS poller driving the same engine as the Lambda handler: containers, long jobs, local runs. */
export function createWorker(options: WorkerOptions): Worker {
  const queues = options.queues ?? options.registry.queues;
  if (queues.length === 0) throw new ConfigError('The worker has no queues to poll.');
  const clock: Clock = options.clock ?? systemClock;
  const engine = createEngine(options);
  const concurrency = options.concurrency ?? 10;
  const visibility = options.visibilityTimeoutSeconds ?? 60;
  const warn = options.onWarning ?? ((m: string) => console.warn(`[wharf worker] ${m}`));
  const acks = new AckBuffer(
    options.consumer,
    (queue, n) => warn(`${n} delete(s) failed on ${queue}; those messages will come back`),
    clock,
  );
  const running = new Map<string, { queue: string; done: Promise<void> }>();
  const stopping = new AbortController();
  let waiters: (() => void)[] = [];
  const wakeAll = () => {
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };

  const handle = async (message: ReceivedMessage) => {
    const beat = heartbeat(options.consumer, message, visibility, clock, warn);
    try {
      const disposition = await engine.process(message);
      if (disposition.action === 'ack') acks.add(message.queue, message.receiptHandle);
      else
        await options.consumer
          .changeVisibility(message.queue, [message.receiptHandle], options.releaseDelaySeconds ?? 10)
          .catch(() => []);
    } finally {
      beat.stop();
    }
  };

  const pollQueue = async (queue: string) => {
    while (!stopping.signal.aborted) {
      const free = concurrency - running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => waiters.push(resolve));
        continue;
      }
      let messages: ReceivedMessage[] = [];
      try {
        messages = await options.consumer.receive(queue, {
          maxMessages: Math.min(10, free),
          waitTimeSeconds: options.waitTimeSeconds ?? 20,
          visibilityTimeoutSeconds: visibility,
          signal: stopping.signal,
        });
      } catch (error) {
        warn(`receive from ${queue} failed: ${(error as Error).message}`);
        await clock.sleep(1000, stopping.signal).catch(() => undefined);
      }
      for (const message of messages) {
        const done = handle(message).finally(() => {
          running.delete(message.receiptHandle);
          wakeAll();
        });
        running.set(message.receiptHandle, { queue, done });
      }
      if (messages.length > 0) void acks.flush();
    }
  };

  let loop: Promise<void> | undefined;
  return {
    get inFlight() {
      return running.size;
    },
    run() {
      loop ??= Promise.all(queues.map(pollQueue)).then(() => undefined);
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
      if (timedOut) await releaseUnfinished(options.consumer, running, warn);
      await acks.flush();
    },
  };
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

import { createClient } from '../client/client';
import { setDefaultEnqueuer } from '../client/default-enqueuer';
import type { Enqueuer } from '../client/types';
import { type Clock, systemClock } from '../clock';
import { createEngine } from '../engine/engine';
import type { JobEventListener } from '../engine/events';
import type { Engine, EngineOptions } from '../engine/types';
import type { Random } from '../job/backoff';
import type { JobRegistry } from '../job/registry';
import { createMemoryJobStore } from '../store/memory-store';
import type { JobStore } from '../store/types';
import { createMemoryTransport, type MemoryTransport } from '../transport/memory';
import type { ManualClock } from './manual-clock';
import { type RunSummary, SummaryCounter } from './run-summary';

export interface LocalEngineOptions {
  readonly registry: JobRegistry;
  /** A manual clock fast-forwards over every wait (demos, tests); the system clock runs in real time. @default the system clock */
  readonly clock?: Clock | ManualClock;
  /** Messages handled at once per queue. @default 10 */
  readonly concurrency?: number;
  readonly onEvent?: JobEventListener;
  /** Receives after which a message that keeps crashing its run goes to the DLQ, as SQS's redrive policy. @default 5 */
  readonly maxReceiveCount?: number;
  /** Makes `job.performLater` use this engine. @default true */
  readonly installAsDefault?: boolean;
  readonly random?: Random;
  /** @default an in-memory store */
  readonly store?: JobStore;
  /** Engine settings passed through (deploy-skew deferrals, deadline safety, record retention). */
  readonly engine?: Pick<
    EngineOptions,
    'unknownJobDeferrals' | 'unknownJobDelay' | 'deadlineSafety' | 'recordRetention' | 'leaseMargin'
  >;
}

export interface LocalEngine {
  readonly client: Enqueuer;
  readonly transport: MemoryTransport;
  readonly store: JobStore;
  readonly clock: Clock;
  /** Handles what is due now, once per queue. Returns how many messages were handled. */
  tick(): Promise<number>;
  /**
   * Works until no queue holds a message: with a manual clock, time jumps to the next due message whenever
   * nothing is due; with the system clock it waits for it. `maxMessages` guards against jobs that loop forever.
   */
  runUntilIdle(options?: { readonly maxMessages?: number }): Promise<RunSummary>;
  /** Restores the previous default enqueuer. */
  close(): void;
}

/** The embedded engine: the same engine as Lambda and the worker, on in-memory queues and store. No AWS, no Docker. */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const clock = options.clock ?? systemClock;
  const counter = new SummaryCounter();
  const visibilityTimeoutSeconds = visibilityFor(options.registry);
  const transport = createMemoryTransport({
    clock,
    queues: options.registry.queues,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    visibilityTimeoutSeconds,
  });
  const store = options.store ?? createMemoryJobStore();
  const engine = createEngine({
    ...options.engine,
    registry: options.registry,
    transport,
    store,
    clock,
    random: options.random,
    onEvent: (event) => {
      counter.record(event);
      options.onEvent?.(event);
    },
  });
  const client = createClient({ transport, clock });
  const previous = options.installAsDefault === false ? undefined : setDefaultEnqueuer(client);
  const concurrency = Math.min(10, options.concurrency ?? 10);
  const tick = () =>
    tickOnce(
      engine,
      transport,
      options.registry.queues,
      { max: concurrency, visibilityTimeoutSeconds },
      counter,
    );
  return {
    client,
    transport,
    store,
    clock,
    tick,
    async runUntilIdle(runOptions = {}) {
      const startedMs = clock.nowMs();
      const wallStart = performance.now();
      await drain(tick, transport, clock, runOptions.maxMessages ?? 100_000);
      return counter.snapshot(clock.nowMs() - startedMs, Math.round(performance.now() - wallStart));
    },
    close() {
      if (options.installAsDefault !== false) setDefaultEnqueuer(previous);
    },
  };
}

async function tickOnce(
  engine: Engine,
  transport: MemoryTransport,
  queues: readonly string[],
  limits: { readonly max: number; readonly visibilityTimeoutSeconds: number },
  counter: SummaryCounter,
) {
  let handled = 0;
  for (const queue of queues) {
    const messages = await transport.receive(queue, {
      maxMessages: limits.max,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: limits.visibilityTimeoutSeconds,
    });
    handled += messages.length;
    await Promise.all(
      messages.map(async (message) => {
        const disposition = await engine.process(message);
        if (disposition.action === 'ack') await transport.ack(queue, [message.receiptHandle]);
        else await transport.changeVisibility(queue, [message.receiptHandle], RELEASE_DELAY_SECONDS);
      }),
    );
  }
  counter.addMessages(handled);
  return handled;
}

async function drain(
  tick: () => Promise<number>,
  transport: MemoryTransport,
  clock: Clock | ManualClock,
  maxMessages: number,
) {
  let handled = 0;
  while (handled < maxMessages) {
    const count = await tick();
    handled += count;
    if (count > 0) continue;
    const next = transport.nextVisibleAtMs();
    if (next === undefined) return;
    if ('advanceTo' in clock) clock.advanceTo(next);
    else await clock.sleep(Math.max(1, Math.min(next - clock.nowMs(), 250)));
  }
  if (transport.nextVisibleAtMs() !== undefined) {
    throw new Error(
      `runUntilIdle stopped after ${maxMessages} messages and the queues are still not empty (a job that re-enqueues itself forever?)`,
    );
  }
}

const RELEASE_DELAY_SECONDS = 10;

/** Long enough that a running job's message is not handed out twice: 6 x the longest job timeout, as on AWS. */
function visibilityFor(registry: JobRegistry): number {
  const longest = Math.max(30_000, ...registry.jobs.map((j) => j.options.timeoutMs));
  return Math.min(43_200, Math.ceil((6 * longest) / 1000));
}

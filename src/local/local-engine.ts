import { createClient } from '../client/client.js';
import { setDefaultEnqueuer, withEnqueuer } from '../client/default-enqueuer.js';
import type { WharfClient } from '../client/types.js';
import { waitForMethod } from '../client/wait-for.js';
import { type Clock, systemClock } from '../clock.js';
import { wholeNumberProblem } from '../config/whole-number.js';
import { DEFAULT_CONCURRENCY } from '../engine/concurrency.js';
import { createEngine } from '../engine/engine.js';
import type { ErrorReporter } from '../engine/error-reporter.js';
import { type JobEventListener, safeEmit } from '../engine/events.js';
import { type Settlement, settleMessages } from '../engine/settle-messages.js';
import type { Engine, EngineOptions } from '../engine/types.js';
import { InvalidOptionsError, NotIdleError } from '../errors.js';
import type { Random } from '../job/backoff.js';
import { allAddresses, type LaneDeclaration, lanesOf } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import { isActiveIn, toRecurringSchedule } from '../schedule/define-recurring.js';
import {
  createMemoryScheduler,
  type MemoryScheduler,
  type ScheduleFiring,
} from '../schedule/memory-scheduler.js';
import { createMemoryJobStore } from '../store/memory-store.js';
import type { JobStore } from '../store/types.js';
import { createMemoryTransport, type MemoryTransport } from '../transport/memory/index.js';
import { SQS_LIMITS } from '../transport/message-limits.js';
import { createFastForwardClock } from './fast-forward-clock.js';
import { JobStatsCollector } from './job-stats.js';
import { type LaneDelivery, laneDelivery, lanesOfOptions } from './lane-delivery.js';
import { createLocalOutbox, LOCAL_OUTBOX_TABLE, type OutboxCommit } from './local-outbox.js';
import type { ManualClock } from './manual-clock.js';
import { nextWork, PauseGate } from './pause-gate.js';
import { type RunSummary, SummaryCounter } from './run-summary.js';
import { WaitNudgeHub } from './wait-nudges.js';

export interface LocalEngineOptions {
  readonly registry: JobRegistry;
  /**
   * Wait in real time: a `'10m'` delay runs ten minutes from now, and `runUntilIdle()` sleeps until then. For a
   * process that stays up and runs jobs as they come due (`npm start -- --keep-running`). Without it, the engine
   * fast-forwards: time flows as usual while jobs run, and `runUntilIdle()` jumps over every wait at once.
   * @default false
   */
  readonly realTime?: boolean;
  /**
   * A clock of your own instead: a manual clock (`createManualClock`) that only `runUntilIdle` and your test move,
   * or any `Clock`. Not together with `realTime`.
   * @default a fast-forward clock (`createFastForwardClock()`); the system clock with `realTime: true`
   */
  readonly clock?: Clock | ManualClock;
  /**
   * Messages handled at once per queue, 1 to 10: one receive's worth (a receive returns at most 10 messages, as
   * on SQS). @default 10
   */
  readonly concurrency?: number;
  /**
   * Per queue, its priority lanes, as the CDK construct's `queues` declares them: `{ default: { lanes: { high: 6,
   * default: 3, low: 1 } } }`. Each tick takes one receive from each queue, from the lane whose turn it is by
   * weight (the next one by weight when it is empty), as the worker process does (README "Priority lanes").
   * @default no lanes
   */
  readonly queues?: Readonly<Record<string, LaneDeclaration>>;
  readonly onEvent?: JobEventListener;
  /** The process-wide error reporter, as on the Lambda handler and the worker (EngineOptions.reportError). @default none */
  readonly reportError?: ErrorReporter;
  /**
   * Queues that are FIFO queues (`fifo: true` in the construct): one message per group at a time, in order, and
   * retries that wait in place. @default the queues whose jobs declare a `group`
   */
  readonly fifoQueues?: readonly string[];
  /** Receives after which a message that keeps crashing its run goes to the DLQ, as SQS's redrive policy. @default 5 */
  readonly maxReceiveCount?: number;
  /**
   * Makes `job.performLater` (anywhere in the process) use this engine's client until `close()`, as
   * `setDefaultEnqueuer(engine.client)` does. Process-wide, so off unless asked: with two engines, the one that
   * installed last would win.
   * @default false
   */
  readonly installAsDefault?: boolean;
  readonly random?: Random;
  /** @default an in-memory store */
  readonly store?: JobStore;
  /** Which environment this is, for recurring tasks limited to some (`environments`). @default 'development' */
  readonly environment?: string;
  /** Fire the registry's recurring tasks (those enabled in `environment`). @default true */
  readonly recurring?: boolean;
  /** Called when a schedule fires (a recurring task, or a job whose delay was longer than 15 minutes). */
  readonly onSchedule?: (firing: ScheduleFiring) => void;
  /** Engine settings passed through (deploy-skew deferrals, deadline safety, record retention). */
  readonly engine?: Pick<
    EngineOptions,
    'unknownJobDeferrals' | 'unknownJobDelay' | 'deadlineSafety' | 'recordRetention' | 'leaseMargin'
  >;
}

export interface LocalEngine {
  readonly client: WharfClient;
  readonly transport: MemoryTransport;
  /** Jobs due beyond 15 minutes, retries with long backoffs, and the recurring tasks, fired on `clock`. */
  readonly scheduler: MemoryScheduler;
  readonly store: JobStore;
  readonly clock: Clock;
  /**
   * Per job type, the count of each outcome and the run durations, per minute of `clock`, fed by the engine's
   * events: what `ops.stats()` reads on the embedded engine (README "Stats and cost").
   */
  readonly stats: JobStatsCollector;
  /** Fires the schedules that are due, then handles what is due now, once per queue. Returns messages handled. */
  tick(): Promise<number>;
  /**
   * Commits a transaction's items as DynamoDB would, then plays its stream through the outbox relay, once: the
   * entries of `client.transactItems` among `items` are put and sent (the caller's own items are left alone:
   * the engine holds no table of theirs). README "Enqueue after commit".
   */
  commitOutbox(items: readonly unknown[]): Promise<OutboxCommit>;
  /**
   * Works until no queue holds a message and no job waits in a schedule: time jumps to the next due message or
   * schedule whenever nothing is due (the default fast-forward clock, or a manual one); with `realTime` it waits. Recurring tasks
   * fire on the way, but never keep it going on their own (they always have a next time) — except up to `until`:
   * every recurring firing due by then happens too (the clock jumps to each). `maxMessages` guards against jobs
   * that loop forever.
   */
  runUntilIdle(options?: RunUntilIdleOptions): Promise<RunSummary>;
  /** Restores the previous default enqueuer. */
  close(): void;
}

export interface RunUntilIdleOptions {
  readonly maxMessages?: number;
  /** Also fire every recurring task due by this time on the engine's clock (and run what they enqueue). */
  readonly until?: Date | number;
}

/**
 * The embedded engine: the same engine as Lambda and the worker, on in-memory queues and store. No AWS, no Docker.
 * By default it fast-forwards, as development and tests expect: `runUntilIdle()` jumps over delays, backoffs and
 * schedules, so a job delayed by `'10m'` runs at once on the engine's clock (ten minutes later by `engine.clock`).
 * `realTime: true` waits for real instead.
 */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const clock = clockOf(options);
  const concurrency = concurrencyOf(options);
  const counter = new SummaryCounter();
  const stats = new JobStatsCollector();
  const waiters = new WaitNudgeHub();
  const visibilityTimeoutSeconds = visibilityFor(options.registry);
  const lanes = lanesOfOptions(options.registry.queues, options.queues ?? {});
  const transport = createMemoryTransport({
    clock,
    queues: allAddresses(options.registry.queues, lanes),
    maxReceiveCount: options.maxReceiveCount ?? 5,
    visibilityTimeoutSeconds,
    fifoQueues: options.fifoQueues ?? groupedQueues(options.registry),
  });
  const store = options.store ?? createMemoryJobStore();
  const environment = options.environment ?? 'development';
  const tasks = options.recurring === false ? [] : options.registry.recurring;
  const scheduler = createMemoryScheduler({
    transport,
    clock,
    recurring: tasks.filter((t) => isActiveIn(t, environment)).map(toRecurringSchedule),
    onFire: options.onSchedule,
  });
  const baseClient = createClient({
    transport,
    clock,
    scheduler,
    registry: options.registry,
    lanes,
    store,
    outboxTable: LOCAL_OUTBOX_TABLE,
  });
  // Its waitFor is woken by the engine's events for its job, not only at the end of its poll pauses.
  const nudged = waitForMethod({ clock, store, registry: options.registry, nudges: waiters.subscribe });
  const client: WharfClient = { ...baseClient, waitFor: nudged };
  const outbox = createLocalOutbox({ transport, scheduler, clock });
  const engine = createEngine({
    ...options.engine,
    // The store is in this process: a pause is read on every run, so it holds from the next message on.
    pauseRefresh: { ms: 0 },
    // So is the record a `cancel` marks: a long run reads it every second.
    cancelCheck: '1s',
    // A job that enqueues another enqueues on this engine, with or without installAsDefault.
    aroundProcess: (work) => withEnqueuer(client, work),
    registry: options.registry,
    transport,
    store,
    scheduler,
    clock,
    random: options.random,
    ...(options.reportError ? { reportError: options.reportError } : {}),
    onEvent: (event) => {
      counter.record(event);
      // The stats are observability: a fault in them must never keep the event from the user's listener.
      safeEmit(stats.record, event);
      options.onEvent?.(event);
      waiters.notify(event.jobId);
    },
  });
  const previous = options.installAsDefault === true ? setDefaultEnqueuer(client) : undefined;
  const gate = new PauseGate(options.registry.queues.map((q) => laneDelivery(q, lanesOf(lanes, q))));
  const tick = async () => {
    await scheduler.fireDue();
    await gate.refresh(store, clock.nowMs());
    return tickOnce(
      engine,
      transport,
      gate.deliverable,
      { max: concurrency, visibilityTimeoutSeconds, clock },
      counter,
    );
  };
  return {
    client,
    transport,
    scheduler,
    store,
    clock,
    stats,
    tick,
    commitOutbox: (items) => outbox.commit(items),
    async runUntilIdle(runOptions = {}) {
      const startedMs = clock.nowMs();
      const wallStart = performance.now();
      const until = runOptions.until === undefined ? undefined : Number(runOptions.until);
      await drain(
        tick,
        () => nextWork(transport, scheduler, until, gate),
        clock,
        runOptions.maxMessages ?? 100_000,
      );
      return counter.snapshot(clock.nowMs() - startedMs, Math.round(performance.now() - wallStart));
    },
    close() {
      if (options.installAsDefault === true) setDefaultEnqueuer(previous);
    },
  };
}

/** Refused out of range rather than clamped: a concurrency of 50 that silently ran 10 would mislead a load test. */
function concurrencyOf(options: LocalEngineOptions): number {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const problem = wholeNumberProblem('concurrency', concurrency, 1, SQS_LIMITS.maxBatchEntries);
  if (problem) throw new InvalidOptionsError('createLocalEngine options', [problem]);
  return concurrency;
}

function clockOf(options: LocalEngineOptions): Clock | ManualClock {
  if (options.realTime === true && options.clock !== undefined) {
    throw new InvalidOptionsError('createLocalEngine options', [
      'give either "realTime: true" or a "clock", not both (realTime is the system clock)',
    ]);
  }
  if (options.clock) return options.clock;
  return options.realTime === true ? systemClock : createFastForwardClock();
}

/** One receive per queue, from the lane whose turn it is, or the next by weight that has a message due. */
async function tickOnce(
  engine: Engine,
  transport: MemoryTransport,
  queues: readonly LaneDelivery[],
  limits: { readonly max: number; readonly visibilityTimeoutSeconds: number; readonly clock: Clock },
  counter: SummaryCounter,
) {
  let handled = 0;
  const now = limits.clock.nowMs();
  for (const { addresses, turns } of queues) {
    const ready = (address: string) =>
      (transport.nextVisibleAtMs(address) ?? Number.POSITIVE_INFINITY) <= now;
    if (!addresses.some(ready)) continue;
    const lane = turns.next().find((i) => ready(addresses[i]!));
    const messages = await transport.receive(addresses[lane!]!, {
      maxMessages: limits.max,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: limits.visibilityTimeoutSeconds,
    });
    handled += messages.length;
    // A FIFO queue hands out one message per group, so its groups may run side by side.
    await settleMessages(engine, messages, memorySettlement(transport), { concurrency: limits.max });
  }
  counter.addMessages(handled);
  return handled;
}

async function drain(
  tick: () => Promise<number>,
  next: () => number | undefined,
  clock: Clock | ManualClock,
  maxMessages: number,
) {
  let handled = 0;
  while (handled < maxMessages) {
    const count = await tick();
    handled += count;
    if (count > 0) continue;
    const at = next();
    if (at === undefined) return;
    if ('advanceTo' in clock) clock.advanceTo(at);
    else await clock.sleep(Math.max(1, Math.min(at - clock.nowMs(), 250)));
  }
  if (next() !== undefined) {
    throw new NotIdleError(
      `runUntilIdle stopped after ${maxMessages} messages and the queues are still not empty (a job that re-enqueues itself forever?)`,
    );
  }
}

const RELEASE_DELAY_SECONDS = 10;

/** The memory queue's own ack and release, as SQS's DeleteMessage and ChangeMessageVisibility. */
function memorySettlement(transport: MemoryTransport): Settlement {
  return {
    ack: (message) => transport.ack(message.queue, [message.receiptHandle]),
    release: (message) =>
      transport.changeVisibility(message.queue, [message.receiptHandle], RELEASE_DELAY_SECONDS),
    wait: (message, seconds) => transport.changeVisibility(message.queue, [message.receiptHandle], seconds),
  };
}

/** A queue whose jobs declare a FIFO group is a FIFO queue: the construct refuses them on any other. */
function groupedQueues(registry: JobRegistry): string[] {
  return [...new Set(registry.jobs.filter((j) => j.options.flow.group).map((j) => j.options.queue))];
}

/** Long enough that a running job's message is not handed out twice: 6 x the longest job timeout, as on AWS. */
function visibilityFor(registry: JobRegistry): number {
  const longest = Math.max(30_000, ...registry.jobs.map((j) => j.options.timeoutMs));
  return Math.min(43_200, Math.ceil((6 * longest) / 1000));
}

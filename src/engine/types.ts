import type { Clock } from '../clock.js';
import type { Envelope } from '../envelope/envelope.js';
import type { Random } from '../job/backoff.js';
import type { JobDefinition } from '../job/define-job.js';
import type { Duration } from '../job/duration.js';
import type { JobRegistry } from '../job/registry.js';
import type { JobMetrics } from '../observe/job-metrics.js';
import type { JobLogger } from '../observe/logger.js';
import type { JobTracer } from '../observe/trace-types.js';
import type { JobScheduler } from '../schedule/types.js';
import type { JobStore, StepMap } from '../store/types.js';
import type { ReceivedMessage, Transport } from '../transport/types.js';
import type { ErrorReporter } from './error-reporter.js';
import type { JobEventListener } from './events.js';
import type { AttemptOutcome } from './run-attempt.js';

export interface EngineOptions {
  readonly registry: JobRegistry;
  readonly transport: Transport;
  /** Required when any job uses `tracked` or `exactly-once` idempotency. */
  readonly store?: JobStore;
  /**
   * Where retries and deferrals due more than 15 minutes out go (EventBridge Scheduler on AWS).
   * @default none: they hop through SQS, re-delayed every 15 minutes
   */
  readonly scheduler?: JobScheduler;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default Math.random */
  readonly random?: Random;
  readonly onEvent?: JobEventListener;
  /**
   * The logger behind `ctx.logger` and, unless `lifecycleLogs` is false, the engine's own lifecycle lines (one per
   * started, succeeded, retrying, dead-lettered, deferred...: README "Logs"). Powertools Logger fits as it is; its
   * level decides which lines are written. @default ctx.logger writes JSON lines to stdout; no lifecycle lines
   */
  readonly logger?: JobLogger;
  /** With a `logger`, whether the engine writes its lifecycle lines through it. @default true */
  readonly lifecycleLogs?: boolean;
  /**
   * The per-job-type CloudWatch metrics (README "Metrics"): the engine tallies its events there, and the adapter
   * flushes it (the Lambda handler once per batch, the worker process every minute). @default none
   */
  readonly metrics?: JobMetrics;
  /**
   * Traces each job run when `tracer.isTracingEnabled()`: a Powertools `Tracer` (`tracer: new Tracer()`), whose
   * X-Ray subsegment `## <job name>` carries the job's annotations and the producer's trace (README "Traces").
   * @default none: no spans, and nothing spent on them
   */
  readonly tracer?: JobTracer;
  /**
   * The process-wide error reporter (Sentry, Honeybadger...): every failed attempt's error, every dead letter,
   * every error a job's `onFailure`/`onDead` throws, and the engine's own store or queue failures that released
   * a message, each with its ErrorReport (job, id, queue, attempt, redacted payload, whether it will retry).
   * Called once the outcome is durable and awaited (for at most 5 s) before the message is acked; what it throws
   * is caught and never changes an outcome. README "Hooks and error reporting". @default none
   */
  readonly reportError?: ErrorReporter;
  /** How often a message naming an unknown job is put off (deploy skew) before it is dead-lettered. @default 3 */
  readonly unknownJobDeferrals?: number;
  /** @default '1m' */
  readonly unknownJobDelay?: Duration;
  /** Time kept back before an invocation deadline for recording the outcome. @default '3s' */
  readonly deadlineSafety?: Duration;
  /** How long job records are kept (DynamoDB TTL): also the window in which duplicates are recognised. @default '7d' */
  readonly recordRetention?: Duration;
  /** How much longer than the job's timeout an exactly-once lease lasts before another run may take over. @default '10s' */
  readonly leaseMargin?: Duration;
  /**
   * How often the paused queues and job types are read from the store (one read per engine, not per job): a
   * pause or resume takes effect within this long. @default '5s'
   */
  readonly pauseRefresh?: Duration;
  /**
   * How often a run still going after its first moments reads its record, to learn that `cancel` asked it to
   * stop (its `ctx.signal` then aborts: README "Cancel"). One read per interval per long run. The worker process
   * turns it on; a Lambda invocation is short, and a cancellation still stops every retry at its claim.
   * @default false (the worker process: '5s'; the embedded engine: '1s')
   */
  readonly cancelCheck?: Duration | false;
  /**
   * Wraps each message's processing, for context the adapter keeps around a run: the embedded engine makes its
   * own client the one `performLater` uses inside its jobs. Its rejection is handled as an internal error.
   * @default none
   */
  readonly aroundProcess?: <T>(work: () => Promise<T>) => Promise<T>;
}

export interface ProcessOptions {
  /** Epoch ms by which the outcome must be recorded (a Lambda invocation's deadline). */
  readonly deadlineMs?: number;
  /**
   * Aborts when the worker must stop now (its shutdown grace is over): the job's `ctx.signal` aborts and the run
   * is abandoned, its lease given back and its message released, without using an attempt.
   */
  readonly signal?: AbortSignal;
}

/**
 * ProcessOptions plus what wharf-jobs/testing listens to: the attempt's own outcome (the job's result, the error it
 * threw), which events carry only as summaries. Internal: not exported from any entry point.
 */
export interface ObservedProcessOptions extends ProcessOptions {
  readonly onAttempt?: (outcome: AttemptOutcome) => void;
  /** `runJob`'s `interruptAfterStep`: the run stops right after this step is durable, as a crash would. */
  readonly interruptAfterStep?: string;
}

/**
 * What the adapter does with the message. `ack`: delete it, its outcome is durable (done, retry sent, dead letter
 * written, duplicate...). `release`: leave it for the queue to deliver again, nothing durable happened. `wait`:
 * keep it, visible again in `visibleInSeconds` (ChangeMessageVisibility): a retry or deferral on a FIFO queue,
 * which waits in place so that its group stays behind it; the retry's state is already durable in the store.
 */
export type Disposition =
  | { readonly action: 'ack'; readonly outcome: AckOutcome }
  | { readonly action: 'release'; readonly reason: string }
  | { readonly action: 'wait'; readonly outcome: WaitOutcome; readonly visibleInSeconds: number };

/** Why a message waits in place (Disposition `wait`). */
export type WaitOutcome = 'retry-scheduled' | 'deferred';

export type AckOutcome =
  | 'succeeded'
  | 'retry-scheduled'
  | 'dead-lettered'
  | 'discarded'
  | 'duplicate'
  | 'superseded'
  | 'lease-lost'
  | 'deferred'
  | 'expired'
  | 'cancelled'
  /** A debounced message whose burst another message runs. */
  | 'debounced'
  /** The run sleeps (`ctx.sleep`): its wake message is sent, the record waits for the same attempt. */
  | 'sleeping';

export interface Engine {
  /** Runs one message through the lifecycle. Never throws: every failure becomes a disposition. */
  process(message: ReceivedMessage, options?: ProcessOptions): Promise<Disposition>;
}

/** One message's run, as the lifecycle steps see it. */
export interface RunState {
  readonly message: ReceivedMessage;
  readonly envelope: Envelope;
  readonly job: JobDefinition;
  readonly attempt: number;
  /** Set in exactly-once mode once the lease is held. */
  readonly fence?: number;
  /** The record's durable steps, when the claim returned them. */
  readonly knownSteps?: StepMap;
  readonly startedAtMs: number;
}

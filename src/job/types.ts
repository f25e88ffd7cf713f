import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { BackoffPolicy } from './backoff.js';
import type { Duration } from './duration.js';
import type { DebounceOption, UniqueOption } from './enqueue-control.js';
import type { EnqueuedJob, EnqueueRequest } from './enqueue-request.js';
import type { ConcurrencyLimit, ThrottleLimit } from './flow-control.js';
import type { JobHooks } from './hooks.js';
import type { JobLogger } from './job-logger.js';

/**
 * - `off`: no job-state writes; at-least-once delivery, attempts carried in the message.
 * - `tracked`: the outcome of every attempt is recorded (one write per attempt); at-least-once.
 * - `exactly-once`: a run claims a lease before it starts, completion is conditional on that lease (fencing),
 *   and a duplicate of a completed job returns the stored outcome instead of running again.
 */
export type IdempotencyMode = 'off' | 'tracked' | 'exactly-once';

/** Matches an error by its `code` or `name` (string), its class, or a predicate. */
export type ErrorMatcher =
  | string
  | (abstract new (
      ...args: never[]
    ) => Error)
  | ((error: unknown) => boolean);

export interface RetryPolicy {
  /** Total attempts, the first one included. @default 5 */
  readonly attempts?: number;
  /** @default polynomial, exponent 4, capped at 1 hour, 15% jitter */
  readonly backoff?: BackoffPolicy;
  /** Only these errors (and those a rule matches) retry; any other dead-letters at once. @default every error retries */
  readonly retryOn?: readonly ErrorMatcher[];
  /** These errors discard the job: recorded as discarded, no retry, no dead letter. @default none */
  readonly discardOn?: readonly ErrorMatcher[];
  /**
   * Per-error retry rules, as several `retry_on` lines in Rails: the first rule whose `on` matches the error an
   * attempt threw decides how many attempts the job gets and how long it waits before the next one. An error no
   * rule matches gets `attempts` and `backoff` above. See README "Retries, discards, dead letters". @default none
   */
  readonly rules?: readonly RetryRule[];
}

/** One per-error retry rule (RetryPolicy.rules). */
export interface RetryRule {
  /** The errors it is for: a code or name, a class, a predicate, or a list of them. */
  readonly on: ErrorMatcher | readonly ErrorMatcher[];
  /**
   * Total attempts, the first one included, when an attempt fails with this error (counted as `ctx.attempt`
   * counts, over every attempt of the job, not per error). @default the policy's `attempts`
   */
  readonly attempts?: number;
  /** The wait before the next attempt after this error. @default the policy's `backoff` */
  readonly backoff?: BackoffPolicy;
}

export interface JobProgress {
  readonly done: number;
  readonly total?: number;
  readonly message?: string;
}

/** What a running job knows about itself. */
export interface JobContext {
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  /** 1 for the first run; exact, not SQS's receive count. */
  readonly attempt: number;
  /** The most attempts the job can have: its `retry.attempts`, or more where a retry rule allows more. */
  readonly maxAttempts: number;
  /** Aborts at the job's timeout, or shortly before the Lambda invocation's deadline. */
  readonly signal: AbortSignal;
  /** When the job was first enqueued (epoch ms). */
  readonly createdAtMs: number;
  /** Ask for another attempt after `delay` instead of the backoff policy's delay. Counts as an attempt. */
  retryAfter(delay: Duration, reason?: string): never;
  /** Stop without retrying; the job is recorded as discarded. */
  discard(reason: string): never;
  /** Report progress: shown by the live log, the CLI and the dashboard. */
  progress(progress: JobProgress): void;
  /**
   * The worker's logger (Powertools Logger on Lambda, or the one passed as `logger`) with this run's jobName,
   * jobId, attempt and queue on every line. See README "Logs".
   */
  readonly logger: JobLogger;
  /**
   * A durable step: runs `run` once and stores its result (JSON) on the job record; every later run of this job
   * (a retry, a crashed run's takeover, a redrive, a wake from `sleep`) gets the stored result back without
   * running it again. Names are unique within the job. See README "Durable steps".
   */
  step<T>(name: string, run: () => Promise<T> | T): Promise<Jsonified<T>>;
  /**
   * Ends this run and continues the job after `duration` (through SQS delays, or a schedule beyond 15 minutes),
   * without holding compute or using an attempt; the steps before it are not run again. See README "Durable sleeps".
   */
  sleep(duration: Duration): Promise<void>;
  /** As `sleep`, until a time. A time already past returns at once. */
  sleepUntil(at: Date): Promise<void>;
  /**
   * The batch this job is a child or a callback of (README "Batches"); undefined for a job in no batch. A
   * callback reads its batch's counts through `ops.batch(ctx.batch.id)`.
   */
  readonly batch: JobBatch | undefined;
}

/** What a value becomes after a JSON round trip, as a step's stored result comes back (a Date becomes a string). */
export type Jsonified<T> = T extends { toJSON(): infer J }
  ? J
  : T extends undefined | ((...args: never[]) => unknown) | symbol
    ? undefined
    : T extends readonly unknown[]
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T extends object
        ? {
            [K in keyof T as T[K] extends ((...args: never[]) => unknown) | symbol ? never : K]: Jsonified<
              T[K]
            >;
          }
        : T;

/** How a job's durable steps are kept (JobOptions.steps). */
export interface StepsOption {
  /**
   * The most bytes of JSON one step's result may take on the job record; a bigger result fails the run
   * (WHARF_STEP, not retried). At most 200,000: every step shares the record's 400 KB DynamoDB item. @default 32768
   */
  readonly maxResultBytes?: number;
}

/** A job's batch, as `ctx.batch` shows it. */
export interface JobBatch {
  readonly id: string;
  /**
   * Adds jobs to this batch while it is open (a child adding more work): the batch waits for them too. Refused
   * (WHARF_CONFLICT) once it has finished, so a callback cannot add. Throws EnqueueFailedError when some were not
   * sent (they are taken out of the batch first); a duplicate of a unique key comes back as `duplicate`.
   */
  add(requests: readonly EnqueueRequest[]): Promise<readonly EnqueuedJob[]>;
}

export type PayloadInput<S extends StandardSchemaV1> = StandardSchemaV1.InferInput<S>;
export type PayloadOutput<S extends StandardSchemaV1> = StandardSchemaV1.InferOutput<S>;

/** A job's definition; its hooks (`around`, `onFailure`, `onDead`) are in JobHooks (job/hooks.ts). */
export interface JobOptions<S extends StandardSchemaV1, R> extends JobHooks<S, R> {
  /** Unique name, 1-128 characters of letters, digits, `.`, `_`, `-`, starting with a letter. */
  readonly name: string;
  /** Standard Schema for the payload (zod, valibot, arktype...). Checked at enqueue and again at the worker. */
  readonly schema: S;
  /** The queue the job runs on. @default 'default' */
  readonly queue?: string;
  readonly retry?: RetryPolicy;
  /** How long one attempt may run. @default '30s' */
  readonly timeout?: Duration;
  /** @default 'tracked' */
  readonly idempotency?: IdempotencyMode;
  /**
   * Derives the job id from the payload, so enqueueing the same logical work twice is one job
   * (`(p) => p.orderId`). The job id is then `<job name>:<what it returns>` (`charge-card:o1`), so two jobs that
   * derive ids from the same value never share one (exactly-once would take the second for a duplicate). That
   * full id is what `performLater` returns as `jobId`, what `ctx.jobId`, the CLI and `cancel`/`reschedule` use,
   * and what `job.jobIdFor(payload)` computes. @default a random UUID per enqueue
   */
  readonly jobId?: (payload: PayloadInput<S>) => string;
  /**
   * Payload fields the CLI and dashboard show as "[redacted]": dot paths, `*` for every key or index
   * (`['card.number', 'contacts.*.email']`). The queue message and the job record still hold them. @default []
   */
  readonly redact?: readonly string[];
  /**
   * At most `limit` runs at once, across every worker and Lambda invocation, per `key` when given. A run over the
   * limit is put off (no attempt used) until a slot frees. See README "Flow control". @default no limit
   */
  readonly concurrency?: ConcurrencyLimit<PayloadOutput<S>>;
  /** At most `limit` starts per `period` (per `key` when given); over the rate, a run is put off until its slot. @default none */
  readonly throttle?: ThrottleLimit<PayloadOutput<S>>;
  /**
   * The tenant a job belongs to, sent as the message's MessageGroupId on a standard queue: SQS fair queues then
   * keep one busy tenant from delaying the others, and the embedded engine delivers round-robin by tenant.
   * @default none
   */
  readonly tenant?: (payload: PayloadOutput<S>) => string;
  /**
   * The FIFO message group (`(p) => p.orderId`): jobs of one group run one at a time, in the order enqueued. Only
   * for jobs on a FIFO queue, and required there. @default none
   */
  readonly group?: (payload: PayloadOutput<S>) => string;
  /** The priority lane used when an enqueue names none; the queue must declare it. @default the queue's first lane */
  readonly priority?: string;
  /**
   * One job per key at a time: while the key is held, an enqueue is not sent and returns `outcome: 'duplicate'`
   * with the holder's job id. See README "Unique jobs". @default none
   */
  readonly unique?: UniqueOption<PayloadOutput<S>>;
  /**
   * Enqueues of one key within `wait` of each other run once, with the last payload. See README "Debounce".
   * @default none
   */
  readonly debounce?: DebounceOption<PayloadOutput<S>>;
  /**
   * A job not started this long after it is due is recorded as `expired` and never runs (no dead letter).
   * An enqueue's own `expiresIn` wins. See README "Expiry". @default never
   */
  readonly expiresIn?: Duration;
  /**
   * Durable steps (`ctx.step`) and sleeps (`ctx.sleep`) need job state: a job that declares `steps`, or whose
   * `perform` calls them, is refused with `idempotency: 'off'`. Declaring it sets the result size limit.
   * See README "Durable steps". @default a limit of 32768 bytes per result
   */
  readonly steps?: StepsOption;
  readonly perform: (payload: PayloadOutput<S>, ctx: JobContext) => Promise<R> | R;
}

/** When and how to enqueue. Unknown keys are rejected. */
export interface EnqueueOptions {
  /** Run after this delay. */
  readonly delay?: Duration;
  /** Run at (or soon after) this time. */
  readonly at?: Date;
  /** Use this job id (idempotency key) as given, instead of the derived or random one: it gets no prefix. */
  readonly jobId?: string;
  /** The priority lane to send to (the queue must declare it). @default the job's `priority` */
  readonly priority?: string;
  /** Not started this long after it is due: recorded `expired`, never run. @default the job's `expiresIn` */
  readonly expiresIn?: Duration;
}

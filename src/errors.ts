/**
 * One error hierarchy for wharf. Every error carries a stable `code`; workers and callers match on `code`,
 * never on message text or `instanceof` alone, because errors cross process and bundle boundaries.
 */
export type WharfErrorCode =
  | 'WHARF_INVALID_PAYLOAD'
  | 'WHARF_INVALID_OPTIONS'
  | 'WHARF_INVALID_DEFINITION'
  | 'WHARF_CONFIG'
  | 'WHARF_ENQUEUE_FAILED'
  | 'WHARF_RETRY_AFTER'
  | 'WHARF_DISCARD'
  | 'WHARF_JOB_TIMEOUT'
  | 'WHARF_LEASE_LOST'
  | 'WHARF_SHUTDOWN'
  /** A schedule (cron, rate, phrase, time zone) or a recurring task that cannot be read or deployed. */
  | 'WHARF_INVALID_SCHEDULE'
  /** EventBridge Scheduler refused or failed a call (the cause is kept). */
  | 'WHARF_SCHEDULER'
  | 'WHARF_BAD_ENVELOPE'
  /** A job name no registry entry has: refused at enqueue when the client has a registry, dead-lettered by a worker. */
  | 'WHARF_UNKNOWN_JOB'
  | 'WHARF_STORE_UNAVAILABLE'
  | 'WHARF_TRANSPORT'
  /** ops: no job, dead letter or schedule with that id. */
  | 'WHARF_NOT_FOUND'
  /** ops: the action clashes with one in progress (a move task already running on the DLQ). */
  | 'WHARF_CONFLICT'
  /** The embedded engine's `runUntilIdle` stopped at its message limit with work still queued. */
  | 'WHARF_NOT_IDLE'
  /** The Lambda worker was invoked with an event that is not an SQS event (no Records, a record without an id). */
  | 'WHARF_INVALID_EVENT'
  /**
   * A job id that already names another job, or the same job with another payload: dead-lettered, never run
   * as the other job's duplicate (exactly-once mode compares both before it claims).
   */
  | 'WHARF_JOB_ID_REUSED'
  /** A message whose attempt is past its job's maximum on arrival: dead-lettered without running. */
  | 'WHARF_INVALID_ATTEMPT'
  /** `cancel` asked a running job to stop: its `ctx.signal` aborts with this reason, and it is recorded `cancelled`. */
  | 'WHARF_CANCELLED'
  /**
   * A durable step or sleep that cannot work as written (README "Durable steps"): a name used twice in one run,
   * a result that is not JSON or is over its size limit, steps with no job state. Not retried: the code must change.
   */
  | 'WHARF_STEP'
  /** A job hook misused (`next()` called twice in `around`) or out of time (`onFailure`, `onDead`). */
  | 'WHARF_HOOK';

export class WharfError extends Error {
  readonly code: WharfErrorCode;
  constructor(code: WharfErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'WharfError';
    this.code = code;
  }
}

/**
 * A payload that does not match its job's schema. Lists every problem. At enqueue, single and bulk alike, it is the
 * error when every problem is a payload problem (see `enqueueRejection` in client/enqueue-rejection.ts).
 */
export class InvalidPayloadError extends WharfError {
  /** The job (in a bulk enqueue: the first invalid one; `issues` then name each job by index). */
  readonly jobName: string;
  readonly issues: readonly string[];
  /** `subject`: what was invalid when it is not one job's payload (a bulk enqueue). */
  constructor(jobName: string, issues: readonly string[], subject?: string) {
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    super(
      'WHARF_INVALID_PAYLOAD',
      `Invalid ${subject ?? `payload for job "${jobName}" (${count})`}:\n` +
        issues.map((i) => `  - ${i}`).join('\n'),
    );
    this.name = 'InvalidPayloadError';
    this.jobName = jobName;
    this.issues = issues;
  }
}

/** Options (enqueue options, job options, adapter options) that are unknown or out of range. */
export class InvalidOptionsError extends WharfError {
  readonly problems: readonly string[];
  constructor(subject: string, problems: readonly string[], code: WharfErrorCode = 'WHARF_INVALID_OPTIONS') {
    super(code, `Invalid ${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidOptionsError';
    this.problems = problems;
  }
}

/**
 * A job that the client's registry does not hold, refused at enqueue: a worker running that registry would put it
 * off and then dead-letter it (`unknown-job`). Lists every problem of the request, the registry's jobs included.
 */
export class UnknownJobError extends WharfError {
  /** The job names the registry does not hold, in request order. */
  readonly jobNames: readonly string[];
  /** The registry's job names. */
  readonly knownJobs: readonly string[];
  readonly problems: readonly string[];
  constructor(
    subject: string,
    jobNames: readonly string[],
    knownJobs: readonly string[],
    problems: readonly string[],
  ) {
    super('WHARF_UNKNOWN_JOB', `Invalid ${subject}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'UnknownJobError';
    this.jobNames = jobNames;
    this.knownJobs = knownJobs;
    this.problems = problems;
  }
}

/** Thrown by a job (or `ctx.retryAfter`) to ask for another attempt after a given delay. */
export class RetryAfterError extends WharfError {
  readonly delayMs: number;
  constructor(delayMs: number, message = `Job asked to retry after ${Math.round(delayMs / 1000)}s`) {
    super('WHARF_RETRY_AFTER', message);
    this.name = 'RetryAfterError';
    this.delayMs = delayMs;
  }
}

/** Thrown by a job (or `ctx.discard`) to stop without retrying: the job is recorded as discarded. */
export class DiscardJobError extends WharfError {
  constructor(reason: string, options?: ErrorOptions) {
    super('WHARF_DISCARD', reason, options);
    this.name = 'DiscardJobError';
  }
}

export class JobTimeoutError extends WharfError {
  readonly timeoutMs: number;
  /**
   * `deadline`: the job did not overrun, the invocation (a Lambda) was about to end; it is always retried.
   * `abandoned`: earlier runs took their lease and never finished (the worker crashed or was killed).
   */
  readonly reason: 'job-timeout' | 'deadline' | 'abandoned';
  constructor(timeoutMs: number, why: 'job-timeout' | 'deadline' | 'abandoned') {
    super('WHARF_JOB_TIMEOUT', JOB_TIMEOUT_TEXT[why](timeoutMs));
    this.name = 'JobTimeoutError';
    this.timeoutMs = timeoutMs;
    this.reason = why;
  }
}

const JOB_TIMEOUT_TEXT: Record<JobTimeoutError['reason'], (timeoutMs: number) => string> = {
  'job-timeout': (ms) => `Job exceeded its timeout of ${ms} ms`,
  deadline: (ms) => `Job stopped ${ms} ms into its run: the invocation deadline was near`,
  abandoned: () => 'Earlier runs never finished (the worker crashed or was killed)',
};

/** The worker is shutting down: the run is abandoned and its message released, without using an attempt. */
export class WorkerShutdownError extends WharfError {
  constructor() {
    super('WHARF_SHUTDOWN', 'The worker shut down before the job finished; the job will run again elsewhere');
    this.name = 'WorkerShutdownError';
  }
}

/** A write that required the caller to still own the job's lease found a newer owner (fencing). */
export class LeaseLostError extends WharfError {
  constructor(jobId: string, fence: number, options?: ErrorOptions) {
    super(
      'WHARF_LEASE_LOST',
      `Lease on job ${jobId} (fence ${fence}) was taken over by a newer run`,
      options,
    );
    this.name = 'LeaseLostError';
  }
}

export class StoreUnavailableError extends WharfError {
  constructor(operation: string, options?: ErrorOptions) {
    super('WHARF_STORE_UNAVAILABLE', `Job store failed during ${operation}`, options);
    this.name = 'StoreUnavailableError';
  }
}

export class ConfigError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

// One plain class per code below, alike on purpose rather than made by a factory: each is declared in the API
// report, and works with \`instanceof\` and with the class matchers of retryOn and discardOn.

/** A job the transport (or the scheduler behind it) did not confirm: nothing was sent. The cause is kept. */
export class EnqueueFailedError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_ENQUEUE_FAILED', message, options);
    this.name = 'EnqueueFailedError';
  }
}

/** A queue call (SQS or the memory transport) that failed or was refused. The cause is kept. */
export class TransportError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_TRANSPORT', message, options);
    this.name = 'TransportError';
  }
}

/** EventBridge Scheduler refused or failed a call, or a schedule holds no wharf envelope. The cause is kept. */
export class SchedulerError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_SCHEDULER', message, options);
    this.name = 'SchedulerError';
  }
}

/** ops: no job, dead letter, schedule or stack with that name or id. */
export class NotFoundError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_NOT_FOUND', message, options);
    this.name = 'NotFoundError';
  }
}

/** ops: the action clashes with one in progress. */
export class ConflictError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_CONFLICT', message, options);
    this.name = 'ConflictError';
  }
}

/** `runUntilIdle` reached its limit and the queues still hold work (a job that re-enqueues itself forever?). */
export class NotIdleError extends WharfError {
  constructor(message: string) {
    super('WHARF_NOT_IDLE', message);
    this.name = 'NotIdleError';
  }
}

/**
 * The Lambda worker's event is not an SQS event: thrown before any record runs, since a record without a message
 * id cannot be reported in a partial batch response (SQS always sends one, so this is a wrong trigger or a
 * hand-made invocation).
 */
export class InvalidEventError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_INVALID_EVENT', message, options);
    this.name = 'InvalidEventError';
  }
}

/**
 * A job id names one job: a message whose id the job store already holds for another job, or for this job with
 * another payload, is dead-lettered with this error (reason `job-id-reused`) instead of being acknowledged as a
 * duplicate of a job it is not.
 */
export class JobIdReusedError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_JOB_ID_REUSED', message, options);
    this.name = 'JobIdReusedError';
  }
}

/**
 * A message arrived with an attempt number past its job's `attempts`: dead-lettered (reason `retries-exhausted`)
 * without running, and said so, rather than blamed on crashed runs that never happened.
 */
export class InvalidAttemptError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_INVALID_ATTEMPT', message, options);
    this.name = 'InvalidAttemptError';
  }
}

/**
 * `client.cancel` asked the running job to stop (README "Cancel"): `ctx.signal` aborts with this error as its
 * reason. A run that then ends with an error is recorded `cancelled`, never retried.
 */
export class JobCancelledError extends WharfError {
  constructor(jobId: string) {
    super('WHARF_CANCELLED', `Job ${jobId} was cancelled while it ran`);
    this.name = 'JobCancelledError';
  }
}

/** A durable step or sleep used in a way that cannot work (README "Durable steps"); never retried. */
export class StepError extends WharfError {
  constructor(message: string, options?: ErrorOptions) {
    super('WHARF_STEP', message, options);
    this.name = 'StepError';
  }
}

/**
 * A job hook went wrong in a way of wharf's own making: `around` called `next()` a second time (perform never runs
 * twice in one attempt), or `onFailure`/`onDead` outlived their time. An error a hook throws itself is passed on
 * as it is, not wrapped in this. See README "Hooks and error reporting".
 */
export class HookError extends WharfError {
  readonly hook: string;
  constructor(hook: string, message: string, options?: ErrorOptions) {
    super('WHARF_HOOK', message, options);
    this.name = 'HookError';
    this.hook = hook;
  }
}

/** True when `error` carries the given wharf code, whatever realm or bundle created it. */
export function hasCode(error: unknown, code: WharfErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** The message of anything thrown: an Error's message, else its string form (a job may throw a string). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  )
    return (error as { message: string }).message;
  try {
    return String(error);
  } catch {
    // An object without a prototype, or whose toString throws: still a message, never a second error.
    return Object.prototype.toString.call(error);
  }
}

/**
 * The wire format, version 1. One JSON object per SQS message body. Fields are short but readable, because
 * operators read them in the SQS console.
 */
export const ENVELOPE_VERSION = 1;

/** One failed attempt, kept small: SQS bodies and DynamoDB items have hard size limits. */
export interface FailureRecord {
  readonly attempt: number;
  readonly atMs: number;
  readonly error: ErrorSummary;
}

export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  /** The first lines of the stack only. */
  readonly stack?: string;
  /**
   * The error's `cause`, one level and without its stack: what a wrapped error (a TransportError around the SDK's,
   * a job's own wrapper) hides is often the reason, and a dead letter must explain itself (invariant 5).
   */
  readonly cause?: ErrorCauseSummary;
}

export interface ErrorCauseSummary {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** Why a message became a dead letter (invariant 5); reason codes are stable. */
export type DeadLetterReason =
  | 'retries-exhausted'
  | 'permanent-error'
  | 'invalid-payload'
  | 'malformed-body'
  | 'unsupported-version'
  | 'hostile-input'
  | 'oversize'
  | 'unknown-job'
  /** The job id already names another job, or this job with another payload (exactly-once mode). */
  | 'job-id-reused';

export interface DeadLetterInfo {
  readonly reason: DeadLetterReason;
  readonly queue: string;
  readonly attempts: number;
  readonly firstFailedAtMs: number;
  readonly lastFailedAtMs: number;
  readonly error: ErrorSummary;
}

export interface Envelope {
  readonly v: typeof ENVELOPE_VERSION;
  /** Producer-assigned job id: the idempotency key. Survives retries and redrives (SQS message ids do not). */
  readonly id: string;
  readonly job: string;
  readonly payload: unknown;
  /** The attempt number this message runs as, starting at 1. */
  readonly attempt: number;
  /** When the job was first enqueued. */
  readonly createdAtMs: number;
  /** When this message was sent. */
  readonly enqueuedAtMs: number;
  /** Not before: a message that arrives early is re-delayed (delays beyond SQS's 15 minutes). */
  readonly runAtMs?: number;
  /**
   * Times delivery was put off without running the job (unknown job during a deploy, concurrent duplicate, a
   * concurrency limit, a throttle, a pause).
   */
  readonly deferrals?: number;
  /**
   * The message group, kept on every copy (retry, deferral, dead letter, redrive): the job's `tenant` on a standard
   * queue (SQS fair queues), its FIFO `group` on a FIFO queue. Sent as MessageGroupId.
   */
  readonly group?: string;
  /**
   * A throttle start this message holds (epoch ms): taken when the job was over its rate, and used, without
   * asking the throttle again, when the message comes back at or after it.
   */
  readonly reservedStartMs?: number;
  /** Not started by then (epoch ms): recorded `expired` and never run (README "Expiry"). */
  readonly expiresAtMs?: number;
  /**
   * The unique key this job holds (`<job name>/<key>`), freed when it starts or finishes as the job declares
   * (README "Unique jobs"). Carried so a changed key function cannot leave the old key locked.
   */
  readonly unique?: string;
  /** The debounced burst this message belongs to, and the enqueue it carries (README "Debounce"). */
  readonly debounce?: DebounceMark;
  /**
   * The batch this job is a child of (README "Batches"): its terminal outcome is counted there once. Kept on
   * retries, deferrals and redrives, as every other field is.
   */
  readonly batch?: string;
  /** The batch whose callback this job is (`onFinish`...): claimed exactly once whatever the job's mode. */
  readonly callbackOf?: string;
  /**
   * The X-Ray trace header (`Root=1-...;Parent=...;Sampled=1`) of the request that enqueued the job (README
   * "Traces"): the job's span names it, so a job's trace leads to what enqueued it. Kept on every copy.
   */
  readonly trace?: string;
  /** Earlier failed attempts, newest last, at most MAX_FAILURES kept. */
  readonly failures?: readonly FailureRecord[];
  /** Times an operator sent this job back from its dead-letter queue. */
  readonly redrives?: number;
  /** Present only on dead letters. A redriven dead letter still carries it; the worker starts a fresh run. */
  readonly deadLetter?: DeadLetterInfo;
  /**
   * Present on a firing of a recurring schedule. Its job id is derived from (task, scheduled time), and the engine
   * claims it exactly once whatever the job's idempotency mode, so a double fire or a Scheduler retry runs once.
   */
  readonly firing?: Firing;
}

export interface DebounceMark {
  /** `<job name>/<key>`. */
  readonly key: string;
  /** This enqueue's token: only the latest one runs the burst. */
  readonly token: string;
}

/**
 * Which recurring task fired, and for which time. `at` is a string because Scheduler fills it in by text
 * substitution (`<aws.scheduler.scheduled-time>`, e.g. `2026-03-22T02:00:00Z`); the firing's envelope leaves out
 * `createdAtMs` and `enqueuedAtMs` (Scheduler cannot write numbers), and decoding fills both from `at`.
 */
export interface Firing {
  readonly task: string;
  readonly at: string;
  /** Set when an operator ran the task by hand ("run now") rather than the schedule firing. */
  readonly manual?: boolean;
}

export const MAX_FAILURES = 5;
export const MAX_ERROR_MESSAGE_CHARS = 1000;
export const MAX_STACK_LINES = 8;

/** SQS message attribute names; the console shows them beside the body. */
export const ATTR = {
  job: 'wharf.job',
  jobId: 'wharf.id',
  attempt: 'wharf.attempt',
  reason: 'wharf.dlq.reason',
  error: 'wharf.dlq.error',
  failedAt: 'wharf.dlq.failed-at',
  queue: 'wharf.dlq.queue',
} as const;

/**
 * Never throws, whatever a job threw: an Error whose name, message or stack is not a string (or whose getters
 * throw) is summarized too, because a summary that fails would leave the message to be released and run again.
 */
export function summarizeError(error: unknown): ErrorSummary {
  try {
    if (error instanceof Error) {
      const { stack } = error as { stack?: unknown };
      const cause = summarizeCause(error);
      return {
        ...nameMessageCode(error),
        ...(typeof stack === 'string' && stack
          ? { stack: stack.split('\n').slice(0, MAX_STACK_LINES).join('\n').slice(0, 2000) }
          : {}),
        ...(cause ? { cause } : {}),
      };
    }
    return { name: 'NonError', message: safeString(error).slice(0, MAX_ERROR_MESSAGE_CHARS) };
  } catch {
    return { name: 'UnreadableError', message: 'the thrown value could not be read' };
  }
}

/** Shorter than the error's own message: the cause adds to the story, it must not crowd out the payload. */
const MAX_CAUSE_MESSAGE_CHARS = 500;

/** Never throws either: a cause that cannot be read costs the cause, not the summary of the error itself. */
function summarizeCause(error: Error): ErrorCauseSummary | undefined {
  try {
    const cause: unknown = error.cause;
    if (cause === undefined || cause === null) return undefined;
    if (!(cause instanceof Error))
      return { name: 'NonError', message: safeString(cause).slice(0, MAX_CAUSE_MESSAGE_CHARS) };
    const summary = nameMessageCode(cause);
    return { ...summary, message: summary.message.slice(0, MAX_CAUSE_MESSAGE_CHARS) };
  } catch {
    return { name: 'UnreadableError', message: 'the cause could not be read' };
  }
}

function nameMessageCode(error: Error): ErrorCauseSummary {
  const { code } = error as { code?: unknown };
  return {
    name: textOf(error.name, 'Error').slice(0, 200),
    message: textOf(error.message, '').slice(0, MAX_ERROR_MESSAGE_CHARS),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code).slice(0, 200) } : {}),
  };
}

function textOf(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? fallback : safeString(value);
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

export function appendFailure(
  failures: readonly FailureRecord[] | undefined,
  record: FailureRecord,
): FailureRecord[] {
  return [...(failures ?? []), record].slice(-MAX_FAILURES);
}

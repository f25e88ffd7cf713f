/**
 * The scheduling port (DESIGN: schedule/). It speaks job semantics — a job to deliver at a time, a recurring task
 * to fire — not Scheduler verbs. Adapters: EventBridge Scheduler (eventbridge/) and in-memory (memory-scheduler.ts);
 * both pass test/integration/scheduler-conformance.test.ts.
 *
 * Every schedule puts a message body on a job queue when it fires; the body is an envelope (a one-time job's), or
 * an envelope template with Scheduler's context placeholders (a recurring task's firing).
 */
export interface OneTimeSchedule {
  readonly jobId: string;
  /** 1 for what the producer enqueued; a retry waiting for a long backoff has its own schedule. */
  readonly attempt: number;
  readonly jobName: string;
  readonly queue: string;
  /** Epoch ms; Scheduler fires within the minute after it. */
  readonly runAtMs: number;
  /** The envelope JSON the queue receives. */
  readonly body: string;
}

export interface RecurringSchedule {
  readonly task: string;
  readonly jobName: string;
  readonly queue: string;
  /** `cron(...)` or `rate(...)`, EventBridge Scheduler's syntax. */
  readonly expression: string;
  readonly timeZone: string;
  /** The envelope template, with `<aws.scheduler.scheduled-time>` where the firing's time goes. */
  readonly bodyTemplate: string;
  readonly description?: string;
}

/** A schedule as it stands, one-time or recurring. */
export interface ScheduleRecord {
  /** The schedule's name in its group (see schedule-names.ts). */
  readonly name: string;
  readonly kind: 'one-time' | 'recurring';
  /** The job queue it delivers to; undefined when its target is not a queue this app knows. */
  readonly queue?: string;
  /** `at(...)`, `cron(...)` or `rate(...)`. */
  readonly expression: string;
  readonly timeZone: string;
  readonly enabled: boolean;
  /** The body (one-time) or the body template (recurring). */
  readonly body: string;
  readonly description?: string;
  /** When it was created or last changed: where a rate schedule counts its intervals from. */
  readonly startMs?: number;
  /**
   * When its definition last changed (Scheduler's LastModificationDate): for a disabled schedule, when it was
   * paused, unless something changed it since.
   */
  readonly modifiedAtMs?: number;
}

export type ScheduleAtResult =
  /** A new schedule. */
  | 'created'
  /** This job id (and attempt) already waits in a schedule due later: enqueueing the same job twice is one job. */
  | 'exists';

export interface SchedulePage {
  readonly records: readonly ScheduleRecord[];
  /** Pass it back for the next page; absent on the last. */
  readonly cursor?: string;
}

export interface JobScheduler {
  /** Whether this scheduler can deliver to `queue` at all (the hop fallback is used for queues it cannot). */
  accepts(queue: string, bodyBytes: number): boolean;
  /**
   * Creates the one-time schedule of a job. If one with the same job id and attempt exists and is still due, it
   * stands ('exists'); one whose time has passed has fired (Scheduler deletes it shortly after) and is replaced.
   */
  scheduleAt(schedule: OneTimeSchedule): Promise<ScheduleAtResult>;
  /** The job's pending schedule (attempt 1 unless given), or undefined when there is none. */
  getJob(jobId: string, attempt?: number): Promise<ScheduleRecord | undefined>;
  /** Moves a pending schedule to `runAtMs` with a new body. False when there is none (it fired, or never was). */
  reschedule(jobId: string, runAtMs: number, body: string): Promise<boolean>;
  /** Deletes the job's pending schedule (attempt 1). False when there is none: nothing was cancelled. */
  cancel(jobId: string): Promise<boolean>;
  /** Creates or replaces a recurring task's schedule. */
  upsertRecurring(schedule: RecurringSchedule): Promise<'created' | 'updated'>;
  getRecurring(task: string): Promise<ScheduleRecord | undefined>;
  /** False when there was none. */
  deleteRecurring(task: string): Promise<boolean>;
  /**
   * Pauses (`false`) or resumes (`true`) a recurring task's schedule, leaving the rest of it as it is: a paused
   * schedule does not fire until it is resumed (Scheduler's `State: DISABLED`). Returns the schedule as it now
   * stands, or undefined when the app has no such task.
   */
  setRecurringEnabled(task: string, enabled: boolean): Promise<ScheduleRecord | undefined>;
  /** Every schedule of the app, a page at a time. */
  list(query?: { readonly limit?: number; readonly cursor?: string }): Promise<SchedulePage>;
}

/** Bodies larger than this cannot be a schedule's Input; such jobs hop through SQS instead. */
export const MAX_SCHEDULE_INPUT_BYTES = 262_144;

/** How long Scheduler retries a failing delivery: its maximum, a day (then the dead-letter queue). */
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;
/** Scheduler's maximum retries within that day. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;

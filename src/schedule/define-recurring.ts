import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ENVELOPE_VERSION } from '../envelope/envelope.js';
import { errorMessage, InvalidOptionsError } from '../errors.js';
import type { JobDefinition } from '../job/define-job.js';
import type { PayloadInput } from '../job/types.js';
import { SCHEDULED_TIME } from './context-attributes.js';
import { checkTimeZone, type ParsedSchedule, parseSchedule } from './parse-schedule.js';
import type { RecurringSchedule } from './types.js';

/** Task keys: also part of job ids (`recurring:<task>:<time>`) and, hashed when needed, of schedule names. */
export const TASK_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,127}$/;
const KNOWN_KEYS = [
  'task',
  'job',
  'payload',
  'schedule',
  'timeZone',
  'enabled',
  'environments',
  'description',
];

/** A recurring task as written beside its job, like an entry of Solid Queue's recurring.yml. */
export interface RecurringOptions<S extends StandardSchemaV1> {
  /** Unique key: 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter. */
  readonly task: string;
  readonly job: JobDefinition<S, unknown>;
  /** The payload every firing runs with. @default {} */
  readonly payload?: PayloadInput<S>;
  /** A 5-field cron, `cron(...)`/`rate(...)` as in EventBridge Scheduler, or a phrase ("every day at 2am"). */
  readonly schedule: string;
  /** The IANA time zone the schedule is read in; daylight saving time is followed. @default 'UTC' */
  readonly timeZone?: string;
  /** A disabled task is neither deployed nor fired locally. @default true */
  readonly enabled?: boolean;
  /**
   * Deploy (and fire locally) only in these environments: matched against the CDK construct's
   * `environmentName` and the embedded engine's `environment`. @default every environment
   */
  readonly environments?: readonly string[];
  /** Shown in the Scheduler console and the ops listing. */
  readonly description?: string;
}

export interface RecurringTask {
  readonly task: string;
  readonly job: JobDefinition;
  /** The payload after a JSON round trip: exactly what every firing carries. */
  readonly payload: unknown;
  readonly schedule: ParsedSchedule;
  readonly timeZone: string;
  readonly enabled: boolean;
  readonly environments?: readonly string[];
  readonly description?: string;
}

/**
 * Declares a recurring task: which job runs, with what payload, when. Everything is checked here, every problem
 * at once: the task key, the schedule and time zone, and the payload against the job's schema (when the schema
 * validates synchronously, as zod, valibot and arktype do; otherwise the worker checks each firing).
 */
export function defineRecurring<S extends StandardSchemaV1>(options: RecurringOptions<S>): RecurringTask {
  const problems: string[] = [];
  for (const key of Object.keys(options))
    if (!KNOWN_KEYS.includes(key)) problems.push(`unknown option "${key}" (known: ${KNOWN_KEYS.join(', ')})`);
  if (typeof options.task !== 'string' || !TASK_PATTERN.test(options.task))
    problems.push(
      `task: expected 1-128 letters, digits, ".", "_", ":" or "-" starting with a letter, received ${JSON.stringify(options.task)}`,
    );
  const timeZone = options.timeZone ?? 'UTC';
  const zoneOk = collect(problems, `timeZone ${JSON.stringify(timeZone)}`, () => checkTimeZone(timeZone));
  const schedule = collect(problems, `schedule ${JSON.stringify(options.schedule)}`, () =>
    parseSchedule(options.schedule, zoneOk === undefined ? 'UTC' : timeZone),
  );
  const payload = collect(problems, 'job', () =>
    checkedPayload(options.job as unknown as JobDefinition, options.payload),
  );
  if (options.environments !== undefined && !isStringList(options.environments))
    problems.push('environments: expected a list of environment names');
  if (problems.length > 0 || !schedule)
    throw new InvalidOptionsError(
      `recurring task "${String(options.task)}"`,
      problems,
      'WHARF_INVALID_SCHEDULE',
    );
  return Object.freeze({
    task: options.task,
    job: options.job as unknown as JobDefinition,
    payload,
    schedule,
    timeZone,
    enabled: options.enabled ?? true,
    ...(options.environments ? { environments: [...options.environments] } : {}),
    ...(options.description ? { description: options.description } : {}),
  });
}

/** Whether a task is deployed, or fired by the embedded engine, in `environment`. */
export function isActiveIn(task: RecurringTask, environment: string | undefined): boolean {
  if (!task.enabled) return false;
  return (
    task.environments === undefined || (environment !== undefined && task.environments.includes(environment))
  );
}

/** The job id of one firing: the same on every delivery of that firing, so the engine runs it once. */
export function firingJobId(task: string, scheduledTime: string): string {
  return `recurring:${task}:${scheduledTime}`;
}

/**
 * The message body a schedule sends at each firing: an envelope whose id and `firing.at` carry Scheduler's
 * `<aws.scheduler.scheduled-time>` placeholder. It stays valid JSON, since the placeholder stands inside strings.
 */
export function firingTemplate(task: Pick<RecurringTask, 'task' | 'job' | 'payload'>): string {
  return JSON.stringify({
    v: ENVELOPE_VERSION,
    id: firingJobId(task.task, SCHEDULED_TIME),
    job: task.job.name,
    payload: task.payload,
    attempt: 1,
    firing: { task: task.task, at: SCHEDULED_TIME },
  });
}

/** The schedule that fires a task, in the scheduling port's terms. */
export function toRecurringSchedule(task: RecurringTask): RecurringSchedule {
  return {
    task: task.task,
    jobName: task.job.name,
    queue: task.job.options.queue,
    expression: task.schedule.expression,
    timeZone: task.timeZone,
    bodyTemplate: firingTemplate(task),
    description:
      task.description ?? `wharf recurring task ${task.task}: ${task.schedule.source} (${task.timeZone})`,
  };
}

function checkedPayload(job: JobDefinition, payload: unknown): unknown {
  if (typeof job?.name !== 'string' || typeof job?.options?.queue !== 'string')
    throw new Error('expected a job made by defineJob');
  const text = JSON.stringify(payload ?? {});
  if (text === undefined) throw new Error('the payload is not JSON-serializable');
  const value: unknown = JSON.parse(text);
  const result = job.schema['~standard'].validate(value);
  if (!(result instanceof Promise) && result.issues)
    throw new Error(`the payload does not match its schema: ${result.issues.map(issueText).join('; ')}`);
  return value;
}

/** Runs a check; its problems are added, each prefixed with what was checked. */
function collect<T>(problems: string[], label: string, read: () => T): T | null | undefined {
  try {
    return read() ?? null;
  } catch (error) {
    const listed = (error as { problems?: readonly string[] }).problems;
    for (const p of listed ?? [errorMessage(error)]) problems.push(`${label}: ${p}`);
    return undefined;
  }
}

function issueText(issue: StandardSchemaV1.Issue): string {
  const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0);
}

import { type Clock, systemClock } from '../clock.js';
import { jobAttributes } from '../envelope/attributes.js';
import { ConfigError, EnqueueFailedError, NotFoundError } from '../errors.js';
import { SCHEDULED_TIME } from '../schedule/context-attributes.js';
import { firingJobId } from '../schedule/define-recurring.js';
import { nextRuns } from '../schedule/next-run.js';
import type { JobScheduler, ScheduleRecord } from '../schedule/types.js';
import type { Transport } from '../transport/types.js';

/** One schedule as the CLI and dashboard show it: a job waiting for its time, or a recurring task. */
export interface ScheduleEntryView {
  /** The recurring task's key, or the waiting job's id: what `runNow` and `client.cancel` take. */
  readonly name: string;
  readonly kind: 'one-time' | 'recurring';
  /** The schedule's own name in EventBridge Scheduler (hashed when the key does not fit). */
  readonly scheduleName: string;
  /** The job it runs ('' when its input is not a wharf envelope). */
  readonly job: string;
  readonly task?: string;
  readonly jobId?: string;
  /** One-time: the attempt the job runs as when it fires (more than 1 for a retry waiting out a long backoff). */
  readonly attempt?: number;
  readonly queue?: string;
  /** at(...), cron(...) or rate(...), as EventBridge Scheduler evaluates it. */
  readonly expression: string;
  readonly timezone: string;
  readonly enabled: boolean;
  /** Disabled (paused): when Scheduler last changed it, which is when it was paused unless changed since. */
  readonly pausedSinceMs?: number;
  /** The next run times, epoch ms, soonest first; empty when it will not fire again. */
  readonly nextRunsMs: readonly number[];
  readonly description?: string;
}

export interface ScheduleOpsOptions {
  readonly scheduler: JobScheduler;
  /** Needed by `runRecurringNow` only. */
  readonly transport?: Transport;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Next runs listed per recurring schedule. @default 3 */
  readonly nextRuns?: number;
  /** Schedules read at most (Scheduler pages of 100). @default 1000 */
  readonly limit?: number;
}

/** Every schedule of the app, one-time and recurring, with their next runs; soonest first. */
export async function listSchedules(options: ScheduleOpsOptions): Promise<ScheduleEntryView[]> {
  const nowMs = (options.clock ?? systemClock).nowMs();
  const limit = options.limit ?? 1000;
  const records: ScheduleRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await options.scheduler.list({ limit: Math.min(100, limit - records.length), cursor });
    records.push(...page.records);
    cursor = page.cursor;
  } while (cursor && records.length < limit);
  const views = records.map((r) => toView(r, nowMs, options.nextRuns ?? 3));
  return views.sort((a, b) => (a.nextRunsMs[0] ?? Infinity) - (b.nextRunsMs[0] ?? Infinity));
}

/**
 * Runs a recurring task now, as if its schedule had fired, with a job id of its own
 * (`recurring:<task>:manual:<time>-<random>`), so it never counts as, or blocks, a scheduled firing.
 * Throws WharfError WHARF_NOT_FOUND when the app has no such task.
 */
export async function runRecurringNow(
  options: ScheduleOpsOptions,
  task: string,
): Promise<{ readonly jobId: string; readonly queue: string; readonly messageId: string }> {
  const record = await options.scheduler.getRecurring(task);
  if (!record?.queue) throw new NotFoundError(`No recurring task "${task}" is scheduled.`);
  if (!options.transport) throw new ConfigError('runRecurringNow needs a transport to enqueue.');
  const nowMs = (options.clock ?? systemClock).nowMs();
  const at = new Date(nowMs).toISOString();
  const jobId = firingJobId(task, `manual:${at}-${crypto.randomUUID().slice(0, 8)}`);
  const template = JSON.parse(record.body.replaceAll(SCHEDULED_TIME, at)) as Record<string, unknown>;
  const firing = { ...(template.firing as object), manual: true };
  const envelope = { ...template, id: jobId, firing, createdAtMs: nowMs, enqueuedAtMs: nowMs };
  const [outcome] = await options.transport.send(record.queue, [
    {
      body: JSON.stringify(envelope),
      attributes: jobAttributes(String(template.job), jobId, 1),
      delaySeconds: 0,
    },
  ]);
  if (!outcome?.ok) throw new EnqueueFailedError(`Could not enqueue ${task} now: ${outcome?.message ?? ''}`);
  return { jobId, queue: record.queue, messageId: outcome.messageId };
}

/** The listing and run-now in the shape the CLI and dashboard consume (ops ScheduleSource). */
export function createScheduleSource(options: ScheduleOpsOptions) {
  return {
    list: () => listSchedules(options),
    runNow: (name: string) => runRecurringNow(options, name),
    setEnabled: async (name: string, enabled: boolean) => {
      const before = await options.scheduler.getRecurring(name);
      const after = before && (await options.scheduler.setRecurringEnabled(name, enabled));
      if (!before || !after) return undefined;
      const nowMs = (options.clock ?? systemClock).nowMs();
      return { schedule: toView(after, nowMs, options.nextRuns ?? 3), changed: before.enabled !== enabled };
    },
  };
}

function toView(record: ScheduleRecord, nowMs: number, count: number): ScheduleEntryView {
  const body = readBody(record.body);
  const runs = record.enabled ? safeNextRuns(record, nowMs, record.kind === 'one-time' ? 1 : count) : [];
  const task = body.firing?.task;
  return {
    name: (record.kind === 'recurring' ? task : body.id) ?? record.name,
    kind: record.kind,
    scheduleName: record.name,
    job: body.job ?? '',
    ...(task && record.kind === 'recurring' ? { task } : {}),
    ...(record.kind === 'one-time' && body.id ? { jobId: body.id, attempt: body.attempt ?? 1 } : {}),
    ...(record.queue ? { queue: record.queue } : {}),
    expression: record.expression,
    timezone: record.timeZone,
    enabled: record.enabled,
    ...(!record.enabled && record.modifiedAtMs !== undefined ? { pausedSinceMs: record.modifiedAtMs } : {}),
    nextRunsMs: runs,
    ...(record.description ? { description: record.description } : {}),
  };
}

function safeNextRuns(record: ScheduleRecord, nowMs: number, count: number): number[] {
  try {
    return nextRuns(record.expression, record.timeZone, nowMs, count, record.startMs);
  } catch {
    return []; // a schedule made outside wharf with an expression it cannot read: listed, without runs
  }
}

interface BodyFields {
  readonly id?: string;
  readonly job?: string;
  readonly attempt?: number;
  readonly firing?: { readonly task?: string };
}

function readBody(body: string): BodyFields {
  try {
    const value = JSON.parse(body) as unknown;
    return typeof value === 'object' && value !== null ? (value as BodyFields) : {};
  } catch {
    return {};
  }
}

import type { Clock } from '../clock.js';
import { InvalidOptionsError } from '../errors.js';
import type { Transport } from '../transport/types.js';
import { type AwsExpression, parseAwsExpression } from './aws-expression.js';
import { formatScheduledTime, substituteContextAttributes } from './context-attributes.js';
import { nextRunAfter } from './next-run.js';
import { oneTimeScheduleName, recurringScheduleName } from './schedule-names.js';
import {
  type JobScheduler,
  MAX_SCHEDULE_INPUT_BYTES,
  type OneTimeSchedule,
  type RecurringSchedule,
  type ScheduleRecord,
} from './types.js';

/** A schedule that fired: what the embedded engine's log and tests see. */
export interface ScheduleFiring {
  readonly name: string;
  readonly kind: 'one-time' | 'recurring';
  readonly queue: string;
  /** The time it was due (Scheduler's scheduled-time). */
  readonly scheduledAtMs: number;
  readonly task?: string;
  readonly jobId?: string;
}

export interface MemorySchedulerOptions {
  /** Where firings are delivered (the embedded engine's memory transport). */
  readonly transport: Transport;
  readonly clock: Clock;
  /** Recurring schedules to start with (the registry's tasks), due from the clock's time now. */
  readonly recurring?: readonly RecurringSchedule[];
  readonly onFire?: (firing: ScheduleFiring) => void;
}

/** The in-memory adapter: schedules kept in a map and fired on the injected clock, as Scheduler would. */
export interface MemoryScheduler extends JobScheduler {
  /** Delivers every schedule due by now, oldest first. Returns how many fired. */
  fireDue(): Promise<number>;
  /** When the next one-time schedule is due; undefined when none waits. */
  nextOneTimeAtMs(): number | undefined;
  /** When the next recurring firing (of `task`, or of any) is due; undefined when there is none. */
  nextRecurringAtMs(task?: string): number | undefined;
}

interface Entry {
  record: ScheduleRecord;
  readonly queue: string;
  readonly task?: string;
  readonly jobId?: string;
  readonly jobName: string;
  readonly parsed: AwsExpression;
  dueAtMs: number | undefined;
}

/**
 * Fires like EventBridge Scheduler: a one-time schedule delivers its body once and is deleted
 * (ActionAfterCompletion DELETE); a recurring one delivers its template with the context attributes filled in,
 * at each time croner computes in its zone (DST as Scheduler handles it, see next-run.ts). A delivery the
 * transport refuses stays due and is tried again on the next call, as Scheduler retries.
 */
export function createMemoryScheduler(options: MemorySchedulerOptions): MemoryScheduler {
  const { clock, transport } = options;
  const entries = new Map<string, Entry>();
  const due = (kind: Entry['record']['kind']) =>
    earliest([...entries.values()].filter((e) => e.record.kind === kind).map((e) => e.dueAtMs));

  const fire = async (entry: Entry, atMs: number): Promise<boolean> => {
    const body =
      entry.record.kind === 'one-time'
        ? entry.record.body
        : substituteContextAttributes(entry.record.body, {
            scheduledTimeMs: atMs,
            scheduleArn: `memory:schedule/${entry.record.name}`,
            executionId: crypto.randomUUID(),
            attemptNumber: 1,
          });
    // Scheduler's SQS target sends the Input as the body, with no message attributes.
    const [outcome] = await transport.send(entry.queue, [{ body, attributes: {}, delaySeconds: 0 }]);
    if (!outcome?.ok) return false;
    options.onFire?.({
      name: entry.record.name,
      kind: entry.record.kind,
      queue: entry.queue,
      scheduledAtMs: atMs,
      ...(entry.task ? { task: entry.task } : {}),
      ...(entry.jobId ? { jobId: entry.jobId } : {}),
    });
    return true;
  };

  const put = (entry: Entry) => void entries.set(entry.record.name, entry);
  const upsert = (s: RecurringSchedule): 'created' | 'updated' => {
    const name = recurringScheduleName(s.task);
    const parsed = parseAwsExpression(s.expression, s.timeZone);
    if (!parsed.ok)
      throw new InvalidOptionsError(
        `schedule ${JSON.stringify(s.expression)}`,
        [parsed.problem],
        'WHARF_INVALID_SCHEDULE',
      );
    const existed = entries.has(name);
    const startMs = clock.nowMs();
    put({
      record: recurringRecord(s, name, startMs),
      queue: s.queue,
      task: s.task,
      jobName: s.jobName,
      parsed: parsed.value,
      // A rate schedule starts at once, as Scheduler starts one without StartDate; cron waits for its time.
      dueAtMs: parsed.value.kind === 'rate' ? startMs : nextRunAfter(parsed.value, s.timeZone, startMs),
    });
    return existed ? 'updated' : 'created';
  };
  for (const s of options.recurring ?? []) upsert(s);
  const oneTime = (s: OneTimeSchedule, name: string): Entry => ({
    record: {
      name,
      kind: 'one-time',
      queue: s.queue,
      expression: `at(${formatScheduledTime(Math.ceil(s.runAtMs / 1000) * 1000).slice(0, 19)})`,
      timeZone: 'UTC',
      enabled: true,
      body: s.body,
      description: `wharf job ${s.jobName} ${s.jobId}`,
      startMs: clock.nowMs(),
    },
    queue: s.queue,
    jobId: s.jobId,
    jobName: s.jobName,
    parsed: { kind: 'at', local: '' },
    dueAtMs: Math.ceil(s.runAtMs / 1000) * 1000,
  });

  return {
    // Scheduler's Input limit holds here too, so the embedded engine takes the same route as AWS would.
    accepts: (_queue, bodyBytes) => bodyBytes <= MAX_SCHEDULE_INPUT_BYTES,
    async scheduleAt(s) {
      const name = oneTimeScheduleName(s.jobId, s.attempt);
      const existing = entries.get(name);
      if (existing?.dueAtMs !== undefined && existing.dueAtMs > clock.nowMs()) return 'exists';
      put(oneTime(s, name));
      return 'created';
    },
    async getJob(jobId, attempt = 1) {
      return entries.get(oneTimeScheduleName(jobId, attempt))?.record;
    },
    async reschedule(jobId, runAtMs, body) {
      const name = oneTimeScheduleName(jobId);
      const existing = entries.get(name);
      if (!existing) return false;
      put(
        oneTime({ jobId, attempt: 1, jobName: existing.jobName, queue: existing.queue, runAtMs, body }, name),
      );
      return true;
    },
    async cancel(jobId) {
      return entries.delete(oneTimeScheduleName(jobId));
    },
    async upsertRecurring(s) {
      return upsert(s);
    },
    async getRecurring(task) {
      return entries.get(recurringScheduleName(task))?.record;
    },
    async deleteRecurring(task) {
      return entries.delete(recurringScheduleName(task));
    },
    async setRecurringEnabled(task, enabled) {
      const entry = entries.get(recurringScheduleName(task));
      if (!entry) return undefined;
      if (entry.record.enabled === enabled) return entry.record;
      const nowMs = clock.nowMs();
      entry.record = { ...entry.record, enabled, modifiedAtMs: nowMs };
      // As Scheduler: a paused schedule has no next run, and a resumed one fires at its next time from now, with
      // no catching up on the runs it missed.
      entry.dueAtMs = enabled
        ? nextRunAfter(entry.parsed, entry.record.timeZone, nowMs, entry.record.startMs)
        : undefined;
      return entry.record;
    },
    async list(query = {}) {
      const all = [...entries.values()].map((e) => e.record).sort((a, b) => a.name.localeCompare(b.name));
      const start = query.cursor ? Number(query.cursor) : 0;
      const end = start + (query.limit ?? 100);
      return { records: all.slice(start, end), ...(end < all.length ? { cursor: String(end) } : {}) };
    },
    async fireDue() {
      let fired = 0;
      const now = clock.nowMs();
      const ready = [...entries.values()].filter((e) => e.dueAtMs !== undefined && e.dueAtMs <= now);
      for (const entry of ready.sort((a, b) => a.dueAtMs! - b.dueAtMs!)) {
        const atMs = entry.dueAtMs!;
        if (!(await fire(entry, atMs))) continue;
        fired++;
        if (entry.record.kind === 'one-time') entries.delete(entry.record.name);
        else entry.dueAtMs = nextRunAfter(entry.parsed, entry.record.timeZone, atMs, entry.record.startMs);
      }
      return fired;
    },
    nextOneTimeAtMs: () => due('one-time'),
    nextRecurringAtMs: (task) =>
      task === undefined ? due('recurring') : entries.get(recurringScheduleName(task))?.dueAtMs,
  };
}

function recurringRecord(s: RecurringSchedule, name: string, startMs: number): ScheduleRecord {
  return {
    name,
    kind: 'recurring',
    queue: s.queue,
    expression: s.expression,
    timeZone: s.timeZone,
    enabled: true,
    body: s.bodyTemplate,
    ...(s.description ? { description: s.description } : {}),
    startMs,
  };
}

function earliest(times: readonly (number | undefined)[]): number | undefined {
  const defined = times.filter((t): t is number => t !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
}

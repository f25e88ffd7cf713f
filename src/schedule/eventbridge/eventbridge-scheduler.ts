import { type Clock, systemClock } from '../../clock.js';
import { jobNameOfBody } from '../../envelope/decode.js';
import { errorMessage, SchedulerError } from '../../errors.js';
import { type Duration, toMs } from '../../job/duration.js';
import { mapWithConcurrency } from '../../transport/sqs/map-with-concurrency.js';
import { oneTimeScheduleName, recurringScheduleName } from '../schedule-names.js';
import {
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  type JobScheduler,
  type OneTimeSchedule,
  type ScheduleRecord,
} from '../types.js';
import { schedulerAccepts } from './accepts.js';
import {
  oneTimeRequest,
  recurringRequest,
  type ScheduleTargets,
  stateRequest,
  toRecord,
} from './schedule-request.js';
import {
  CreateScheduleCommand,
  type CreateScheduleInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  type SchedulerClient,
  UpdateScheduleCommand,
} from './scheduler-api.js';

export interface EventBridgeSchedulerOptions {
  readonly client: SchedulerClient;
  /** The app's schedule group (the CDK construct creates it: WHARF_SCHEDULE_GROUP). */
  readonly groupName: string;
  /** The role Scheduler sends with (WHARF_SCHEDULER_ROLE_ARN). */
  readonly roleArn: string;
  /** Per queue, the ARN Scheduler sends to and its dead-letter queue's ARN. Queues not listed hop through SQS. */
  readonly queues: Readonly<Record<string, { readonly arn: string; readonly deadLetterArn: string }>>;
  /** @default the system clock */
  readonly clock?: Clock;
  /** How long Scheduler keeps retrying a delivery that fails. @default '24h' (Scheduler's maximum) */
  readonly maximumEventAge?: Duration;
  /** @default 185 (Scheduler's maximum) */
  readonly maximumRetryAttempts?: number;
}

/** The EventBridge Scheduler adapter of the scheduling port. */
export function createEventBridgeScheduler(options: EventBridgeSchedulerOptions): JobScheduler {
  const { client } = options;
  const clock = options.clock ?? systemClock;
  const t: ScheduleTargets = {
    groupName: options.groupName,
    roleArn: options.roleArn,
    queues: options.queues,
    maximumEventAgeSeconds: options.maximumEventAge
      ? Math.round(toMs(options.maximumEventAge, 'maximumEventAge') / 1000)
      : DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
    maximumRetryAttempts: options.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  };
  const ref = (name: string) => ({ Name: name, GroupName: t.groupName });
  const get = (name: string) =>
    call('GetSchedule', name, async () => toRecord(t, await client.send(new GetScheduleCommand(ref(name)))));
  const remove = (name: string) =>
    call('DeleteSchedule', name, async () => {
      await client.send(new DeleteScheduleCommand(ref(name)));
      return true;
    });
  const create = (input: CreateScheduleInput) =>
    call('CreateSchedule', input.Name!, async () => {
      await client.send(new CreateScheduleCommand(input));
      return true;
    });
  const update = (input: CreateScheduleInput) =>
    call('UpdateSchedule', input.Name!, async () => {
      await client.send(new UpdateScheduleCommand(input));
      return true;
    });

  const scheduleAt = async (s: OneTimeSchedule) => {
    const name = oneTimeScheduleName(s.jobId, s.attempt);
    const request = oneTimeRequest(t, s, name);
    if ((await create(request)) !== CONFLICT) return 'created' as const;
    const existing = await get(name);
    if (existing !== NOT_FOUND && stillDue(existing, clock.nowMs())) return 'exists' as const;
    // It has fired (Scheduler deletes it shortly after): replace it.
    if (existing !== NOT_FOUND) await remove(name);
    if ((await create(request)) === CONFLICT) return 'exists' as const;
    return 'created' as const;
  };

  return {
    accepts: (queue, bodyBytes) => schedulerAccepts(t.queues, queue, bodyBytes),
    scheduleAt,
    async getJob(jobId, attempt = 1) {
      return found(await get(oneTimeScheduleName(jobId, attempt)));
    },
    async reschedule(jobId, runAtMs, body) {
      const name = oneTimeScheduleName(jobId);
      const existing = found(await get(name));
      if (!existing?.queue) return false;
      const jobName = jobNameOfBody(body);
      const request = oneTimeRequest(
        t,
        { jobId, attempt: 1, jobName, queue: existing.queue, runAtMs, body },
        name,
      );
      return (await update(request)) === true;
    },
    async cancel(jobId) {
      return (await remove(oneTimeScheduleName(jobId))) === true;
    },
    async upsertRecurring(s) {
      const request = recurringRequest(t, s, recurringScheduleName(s.task));
      if ((await create(request)) !== CONFLICT) return 'created';
      if ((await update(request)) === NOT_FOUND) await create(request);
      return 'updated';
    },
    async getRecurring(task) {
      return found(await get(recurringScheduleName(task)));
    },
    async deleteRecurring(task) {
      return (await remove(recurringScheduleName(task))) === true;
    },
    async setRecurringEnabled(task, enabled) {
      const name = recurringScheduleName(task);
      const current = await call('GetSchedule', name, () => client.send(new GetScheduleCommand(ref(name))));
      if (typeof current === 'symbol') return undefined;
      if (current.State !== (enabled ? 'ENABLED' : 'DISABLED')) {
        const updated = await call('UpdateSchedule', name, () =>
          client.send(new UpdateScheduleCommand(stateRequest(current, enabled))),
        );
        // Deleted between the read and the update: there is no such task any more.
        if (updated === NOT_FOUND) return undefined;
      }
      return found(await get(name));
    },
    async list(query = {}) {
      const page = await call('ListSchedules', t.groupName, () =>
        client.send(
          new ListSchedulesCommand({
            GroupName: t.groupName,
            MaxResults: Math.min(100, query.limit ?? 100),
            NextToken: query.cursor,
          }),
        ),
      );
      if (page === NOT_FOUND || page === CONFLICT) return { records: [] };
      // ListSchedules leaves out the expression and the input: read each schedule (a few at a time).
      const names = (page.Schedules ?? []).map((s) => s.Name ?? '');
      const records = (await mapWithConcurrency(names, 5, get)).filter(
        (r): r is ScheduleRecord => r !== NOT_FOUND,
      );
      return { records, ...(page.NextToken ? { cursor: page.NextToken } : {}) };
    },
  };
}

const NOT_FOUND = Symbol('not-found');
const CONFLICT = Symbol('conflict');

/** Runs one Scheduler call; "not found" and "already exists" are answers, anything else a WHARF_SCHEDULER error. */
async function call<T>(
  operation: string,
  subject: string,
  run: () => Promise<T>,
): Promise<T | typeof NOT_FOUND | typeof CONFLICT> {
  try {
    return await run();
  } catch (error) {
    const name = (error as { name?: unknown })?.name;
    if (name === 'ResourceNotFoundException') return NOT_FOUND;
    if (name === 'ConflictException') return CONFLICT;
    throw new SchedulerError(
      `EventBridge Scheduler ${operation} failed for ${subject}: ${String(name)}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

function found(record: ScheduleRecord | typeof NOT_FOUND | typeof CONFLICT): ScheduleRecord | undefined {
  return typeof record === 'symbol' ? undefined : record;
}

/**
 * Whether an existing one-time schedule is still to fire. Every one-time schedule wharf makes is `at(...)` in UTC
 * (schedule-request.ts), read here without croner: a worker that only defers jobs must not pull a cron library
 * into its bundle. A schedule under a one-time name that is anything else was not made by wharf: it is left
 * standing ('exists'), the side that never sends a job twice.
 */
function stillDue(record: ScheduleRecord | typeof CONFLICT, nowMs: number): boolean {
  if (record === CONFLICT) return true;
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(record.expression);
  if (!at || record.timeZone !== 'UTC') return true;
  return Date.parse(`${at[1]}Z`) > nowMs;
}

import type { Clock } from '../clock.js';
import type { SchedulerConfig } from '../config/env-config.js';
import { schedulerAccepts } from '../schedule/eventbridge/accepts.js';
import type { SchedulerClient } from '../schedule/eventbridge/scheduler-api.js';
import type { JobScheduler } from '../schedule/types.js';
import { loadOnce } from './load-once.js';

export interface LazySchedulerOptions extends SchedulerConfig {
  /** The Scheduler client, asked for when Scheduler is first needed (from the composition root, aws-clients.ts). */
  readonly client: () => Promise<SchedulerClient>;
  readonly clock: Clock;
}

/**
 * The EventBridge Scheduler adapter, loaded when a job first waits beyond 15 minutes (or a schedule is read,
 * moved or cancelled). Most invocations never need it, so the Scheduler client module, croner (which the
 * adapter uses to tell whether an existing schedule is still due) and the client are not evaluated at init; the
 * first call loads them, once per process. `accepts` needs only the configuration and answers at once.
 */
export function createLazyScheduler(options: LazySchedulerOptions): JobScheduler {
  const load = loadOnce(async () => {
    const [{ createEventBridgeScheduler }, client] = await Promise.all([
      import('../schedule/eventbridge/eventbridge-scheduler.js'),
      options.client(),
    ]);
    return createEventBridgeScheduler({
      groupName: options.groupName,
      roleArn: options.roleArn,
      queues: options.queues,
      clock: options.clock,
      client,
    });
  });
  return {
    accepts: (queue, bodyBytes) => schedulerAccepts(options.queues, queue, bodyBytes),
    scheduleAt: async (schedule) => (await load()).scheduleAt(schedule),
    getJob: async (jobId, attempt) => (await load()).getJob(jobId, attempt),
    reschedule: async (jobId, runAtMs, body) => (await load()).reschedule(jobId, runAtMs, body),
    cancel: async (jobId) => (await load()).cancel(jobId),
    upsertRecurring: async (schedule) => (await load()).upsertRecurring(schedule),
    getRecurring: async (task) => (await load()).getRecurring(task),
    deleteRecurring: async (task) => (await load()).deleteRecurring(task),
    setRecurringEnabled: async (task, enabled) => (await load()).setRecurringEnabled(task, enabled),
    list: async (query) => (await load()).list(query),
  };
}

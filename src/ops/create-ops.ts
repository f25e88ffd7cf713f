import { cancelJob } from '../client/cancel.js';
import type { Enqueuer, JobRef } from '../client/types.js';
import { waitForJob } from '../client/wait-for.js';
import { type Clock, systemClock } from '../clock.js';
import { ConfigError, InvalidOptionsError, NotFoundError } from '../errors.js';
import type { Duration } from '../job/duration.js';
import { logicalQueueOf } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import type { JobScheduler } from '../schedule/types.js';
import type { JobStore } from '../store/types.js';
import type { QueueAdmin } from '../transport/admin-types.js';
import { listBatchPage } from './batch-page.js';
import { toBatchView } from './batch-view.js';
import { type BulkDeps, bulkDiscard, bulkRetry, queuesOf } from './bulk.js';
import { toDeadLetterView } from './dead-letter-view.js';
import { collectDeadLetters, findDeadLetter } from './find-dead-letters.js';
import { flowText } from './flow-text.js';
import { countJobs } from './job-counts.js';
import { pauseOps, pauseViewOf } from './pauses.js';
import type { QueueConsumers } from './queue-consumers.js';
import { redact } from './redact.js';
import type { ScheduleSource } from './schedule-source.js';
import type { StatsQuery, StatsReport } from './stats-types.js';
import { resolveStatsWindow, type StatsWindow } from './stats-window.js';
import type { DeadLetterList, Ops, RedriveMethod } from './types.js';

export interface OpsOptions {
  readonly admin: QueueAdmin;
  /** Without one, job lookups and listings are unavailable (dead letters still work). */
  readonly store?: JobStore;
  /** Gives job names, payload checks before a retry, redaction paths, and `enqueue`. */
  readonly registry?: JobRegistry;
  /** Required by `enqueue`. */
  readonly enqueuer?: Enqueuer;
  readonly schedules?: ScheduleSource;
  /**
   * Where jobs due beyond 15 minutes wait (EventBridge Scheduler on AWS): `cancel` deletes a waiting job's
   * schedule. @default none: `cancel` reaches jobs on their queue and running ones only (through the store)
   */
  readonly scheduler?: JobScheduler;
  /** Switches a queue's Lambda consumers off and on when it is paused and resumed (AWS ops). */
  readonly consumers?: QueueConsumers;
  /** @default systemClock */
  readonly clock?: Clock;
  /** Payload paths hidden for every job, on top of each job's own `redact`. @default [] */
  readonly redact?: readonly string[];
  /** @default 'auto' */
  readonly redrive?: RedriveMethod;
  /** How long a listing holds each batch of dead letters. @default 30 */
  readonly listHoldSeconds?: number;
  /** How long a retry or discard holds each batch (the whole action must fit in it). @default 900 */
  readonly bulkHoldSeconds?: number;
  /** How often a running move task's progress is read. @default 2000 */
  readonly moveTaskPollMs?: number;
  /** Where `stats` reads the per-job-type figures (the engine's counts, or CloudWatch). @default none: stats throws ConfigError */
  readonly stats?: StatsSource;
}

/** Reads one resolved window of per-job-type figures. */
export type StatsSource = (window: StatsWindow, query: StatsQuery) => Promise<StatsReport>;

/** The operations API over ports: the CLI and the dashboard are thin shells around it. */
export function createOps(options: OpsOptions): Ops {
  const { admin, store, registry, schedules } = options;
  const clock = options.clock ?? systemClock;
  const redactPaths = (jobName: string) => [
    ...(options.redact ?? []),
    ...(registry?.get(jobName)?.options.redact ?? []),
  ];
  const view = (queue: string, message: Parameters<typeof toDeadLetterView>[1]) =>
    toDeadLetterView(queue, message, redactPaths);
  const find = { admin, holdSeconds: options.listHoldSeconds ?? 30, view };
  const deps: BulkDeps = {
    admin,
    ...(registry ? { registry } : {}),
    clock,
    method: options.redrive ?? 'auto',
    holdSeconds: options.bulkHoldSeconds ?? 900,
    pollMs: options.moveTaskPollMs ?? 2000,
    view,
    moveTasks: {},
  };
  const requireStore = (): JobStore => {
    if (store) return store;
    throw new ConfigError('No job table is configured: set WHARF_TABLE_NAME (or pass --table).');
  };
  const pauses = pauseOps({
    queues: admin.queues,
    clock,
    ...(store ? { store } : {}),
    ...(registry ? { registry } : {}),
    ...(schedules ? { schedules } : {}),
    ...(options.consumers ? { consumers: options.consumers } : {}),
  });
  return {
    jobNames: registry?.jobs.map((job) => job.name) ?? [],
    hasStore: store !== undefined,
    nowMs: () => clock.nowMs(),
    async queues() {
      // The statistics are what the listing is for: a pause read that fails must not hide them.
      const paused = store
        ? await Promise.resolve()
            .then(() => store.listPauses(clock.nowMs()))
            .catch(() => [])
        : [];
      return Promise.all(
        admin.queues.map(async (queue) => {
          // A lane's queue (`<queue>/<lane>`) runs the jobs of its queue, and its queue's pause holds it.
          const logical = logicalQueueOf(queue);
          const pause = paused.find((p) => p.kind === 'queue' && p.name === logical);
          const jobs = registry?.jobsOn(logical) ?? [];
          const limits = Object.fromEntries(
            jobs.flatMap((job) => {
              const text = flowText(job.options.flow);
              return text === undefined ? [] : [[job.name, text]];
            }),
          );
          return {
            queue,
            jobs: jobs.map((job) => job.name),
            ...(Object.keys(limits).length > 0 ? { limits } : {}),
            ...(await admin.stats(queue)),
            ...(pause ? { paused: pauseViewOf(pause) } : {}),
          };
        }),
      );
    },
    async job(jobId) {
      const record = store ? await store.get(jobId, clock.nowMs()) : undefined;
      const payload = record ? redact(record.payload, redactPaths(record.jobName)) : undefined;
      // Dead letters are looked up only where one can be: a dead job, or a job the store does not know.
      const lookUp = record === undefined || record.status === 'dead';
      // The record names the logical queue: its dead letter is in the dead-letter queue of one of its lanes.
      const ofRecord = record ? admin.queues.filter((q) => logicalQueueOf(q) === record.queue) : [];
      const queues = ofRecord.length > 0 ? ofRecord : admin.queues;
      const deadLetters = lookUp
        ? await collectDeadLetters({ ...find, queues, limit: 20, filter: (v) => v.jobId === jobId })
        : [];
      return { ...(record ? { record } : {}), ...(payload !== undefined ? { payload } : {}), deadLetters };
    },
    jobs: (query) => requireStore().list(query, clock.nowMs()),
    async batch(batchId) {
      const found = await requireStore().getBatch(batchId, clock.nowMs());
      if (!found)
        throw new NotFoundError(`No batch "${batchId}" (never created, or its record has expired).`);
      return toBatchView(found);
    },
    batches: async (query = {}) => listBatchPage(requireStore(), query, clock.nowMs()),
    jobCounts: async (countOptions = {}) => countJobs(requireStore(), clock.nowMs(), countOptions.maxRecords),
    cancel: async (job) => {
      const jobId = jobIdOf(job);
      if (!store && !options.scheduler) {
        throw new ConfigError(
          'Nothing can be cancelled from here: no job table (set WHARF_TABLE_NAME, or pass --table) and no schedule group (WHARF_SCHEDULE_GROUP) is configured.',
        );
      }
      return cancelJob(
        {
          clock,
          ...(store ? { store } : {}),
          ...(options.scheduler ? { scheduler: options.scheduler } : {}),
          ...(registry ? { registry } : {}),
        },
        jobId,
      );
    },
    waitFor: async (job, waitOptions) => {
      if (!store)
        throw new ConfigError(
          'No job can be waited for from here: no job table (set WHARF_TABLE_NAME, or pass --table).',
        );
      return waitForJob({ clock, store, ...(registry ? { registry } : {}) }, jobIdOf(job), waitOptions);
    },
    deadLetters: (query = {}) => listDeadLetters(deps, find, query),
    deadLetter: (ref, queue) => findDeadLetter({ ...find, queues: queuesOf(admin, queue) }, ref),
    retry: (selection, bulkOptions) => bulkRetry(deps, selection, bulkOptions),
    discard: (selection, bulkOptions) => bulkDiscard(deps, selection, bulkOptions),
    schedules: async () =>
      schedules ? { available: true, items: await schedules.list() } : { available: false, items: [] },
    async runSchedule(name) {
      if (!schedules?.runNow)
        throw new ConfigError('No schedules can be run from here (none are configured).');
      return schedules.runNow(name);
    },
    async enqueue(input) {
      if (!registry) throw new ConfigError('enqueue needs the job registry (--registry <module>).');
      const job = registry.get(input.job);
      if (!job) {
        throw new NotFoundError(
          `No job named "${input.job}" in the registry. Known jobs: ${registry.jobs.map((j) => j.name).join(', ')}.`,
        );
      }
      if (!options.enqueuer) throw new ConfigError('enqueue needs a client (queues are not configured).');
      const enqueueOptions = {
        ...(input.delay !== undefined ? { delay: input.delay as Duration } : {}),
        ...(input.jobId !== undefined ? { jobId: input.jobId } : {}),
        ...(input.priority !== undefined ? { priority: input.priority } : {}),
        ...(input.expiresIn !== undefined ? { expiresIn: input.expiresIn as Duration } : {}),
      };
      return options.enqueuer.enqueue(job.with(input.payload, enqueueOptions));
    },
    async stats(query = {}) {
      if (!options.stats)
        throw new ConfigError('No stats can be read from here (no metrics source is configured).');
      return options.stats(resolveStatsWindow(query, clock.nowMs()), query);
    },
    ...pauses,
  };
}

/** The id of a job reference, refused when empty: `cancel` of "" would record a cancellation of nothing. */
function jobIdOf(job: JobRef): string {
  const jobId = typeof job === 'string' ? job : job?.jobId;
  if (typeof jobId !== 'string' || jobId.trim() === '')
    throw new InvalidOptionsError('cancel', [`a job id is required (received ${JSON.stringify(jobId)})`]);
  return jobId;
}

async function listDeadLetters(
  deps: BulkDeps,
  find: { admin: QueueAdmin; holdSeconds: number; view: BulkDeps['view'] },
  query: { readonly queue?: string; readonly limit?: number },
): Promise<DeadLetterList> {
  const queues = queuesOf(deps.admin, query.queue);
  const limit = query.limit ?? 50;
  const collected = await collectDeadLetters({ ...find, queues, limit });
  const moveTasks = [];
  for (const queue of queues) {
    if (deps.moveTasks.unsupported || !deps.admin.moveTasks) break;
    // Reading task progress must never hide the dead letters themselves.
    const tasks = await deps.admin.moveTasks.list(queue).catch(() => []);
    moveTasks.push(...tasks.map((task) => ({ ...task, queue })));
  }
  return { items: collected.slice(0, limit), truncated: collected.length > limit, moveTasks };
}

import { type Clock, systemClock } from '../clock.js';
import { WharfError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import { routeOf, scheduleEnvelope } from '../schedule/dispatch.js';
import type { JobScheduler } from '../schedule/types.js';
import { mapWithConcurrency } from '../transport/sqs/map-with-concurrency.js';
import type { Transport } from '../transport/types.js';
import { prepareOrReject } from './enqueue-rejection.js';
import type { PreparedJob } from './prepare.js';
import { scheduleMethods } from './schedule-client.js';
import type { EnqueuedJob, EnqueueFailure, EnqueueRequest, WharfClient } from './types.js';

export interface ClientOptions {
  readonly transport: Transport;
  /** @default the system clock */
  readonly clock?: Clock;
  /**
   * Where jobs due more than 15 minutes out wait (EventBridge Scheduler on AWS): one schedule per job, which
   * `cancel` and `reschedule` can still change. @default none: such jobs hop through SQS every 15 minutes
   */
  readonly scheduler?: JobScheduler;
  /**
   * The app's registry. With it, enqueueing a job it does not hold throws `UnknownJobError` (nothing is sent: a
   * worker running this registry would dead-letter it), and `upsertRecurring` refuses tasks declared in code
   * (deployed by CDK). @default none: any job is accepted
   */
  readonly registry?: JobRegistry;
}

/**
 * The enqueue SDK: validates, builds envelopes and sends them through the transport, batching where it can, or
 * hands jobs due beyond 15 minutes to the scheduler. Also cancels and moves scheduled jobs and manages recurring
 * tasks at run time (see schedule-client.ts).
 */
export function createClient(options: ClientOptions): WharfClient {
  const clock = options.clock ?? systemClock;
  const deps = { ...options, clock };
  const client: WharfClient = {
    async enqueue(request) {
      const [job] = await prepareOrReject([request], clock, options.registry, false);
      const [outcome] = await sendAll(deps, [job!]);
      if (!outcome?.ok) {
        throw new WharfError(
          'WHARF_ENQUEUE_FAILED',
          `Could not enqueue ${request.job.name} ${job!.jobId}: ${outcome?.detail ?? 'no outcome'}`,
          outcome?.cause ? { cause: outcome.cause } : undefined,
        );
      }
      return enqueued(job!, outcome);
    },
    async enqueueMany(requests) {
      const prepared = await prepareOrReject(requests, clock, options.registry, true);
      const outcomes = await sendAll(deps, prepared);
      const failed: EnqueueFailure[] = [];
      const done: EnqueuedJob[] = [];
      prepared.forEach((job, index) => {
        const outcome = outcomes[index];
        if (outcome?.ok) done.push(enqueued(job, outcome));
        else
          failed.push({
            index,
            jobName: job.jobName,
            jobId: job.jobId,
            error: new WharfError('WHARF_ENQUEUE_FAILED', outcome?.detail ?? 'no outcome'),
          });
      });
      return { enqueued: done, failed };
    },
    ...scheduleMethods(deps),
  };
  return client;
}

type Outcome =
  | { readonly ok: true; readonly via: 'queue' | 'scheduler'; readonly messageId?: string }
  | { readonly ok: false; readonly detail: string; readonly cause?: unknown };

/** One outcome per job, in input order: queue-bound jobs in batches per queue, the rest one schedule each. */
async function sendAll(
  deps: ClientOptions & { readonly clock: Clock },
  jobs: readonly PreparedJob[],
): Promise<Outcome[]> {
  const now = deps.clock.nowMs();
  const outcomes: Outcome[] = new Array(jobs.length);
  const byQueue = new Map<string, number[]>();
  const scheduled: number[] = [];
  for (const [index, job] of jobs.entries()) {
    if (routeOf(job.envelope, job.queue, now, deps.scheduler) === 'scheduler') scheduled.push(index);
    else if (byQueue.has(job.queue)) byQueue.get(job.queue)!.push(index);
    else byQueue.set(job.queue, [index]);
  }
  const queued = [...byQueue].map(async ([queue, indexes]) => {
    const sent = await sendOrFail(
      deps.transport,
      queue,
      indexes.map((i) => jobs[i]!.message),
    );
    indexes.forEach((jobIndex, k) => {
      const o = sent[k];
      outcomes[jobIndex] = o?.ok
        ? { ok: true, via: 'queue', messageId: o.messageId }
        : { ok: false, detail: o ? `${o.code}: ${o.message}` : 'no outcome' };
    });
  });
  // Scheduler has no batch call: one CreateSchedule per job, a few at a time.
  const schedules = mapWithConcurrency(scheduled, SCHEDULE_CONCURRENCY, async (index) => {
    outcomes[index] = await scheduleOrFail(deps.scheduler!, jobs[index]!);
  });
  await Promise.all([...queued, schedules]);
  return outcomes;
}

const SCHEDULE_CONCURRENCY = 10;

async function scheduleOrFail(scheduler: JobScheduler, job: PreparedJob): Promise<Outcome> {
  try {
    await scheduleEnvelope(scheduler, job.queue, job.envelope);
    return { ok: true, via: 'scheduler' };
  } catch (error) {
    return { ok: false, detail: (error as Error)?.message ?? String(error), cause: error };
  }
}

async function sendOrFail(transport: Transport, queue: string, messages: PreparedJob['message'][]) {
  try {
    return await transport.send(queue, messages);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    return messages.map(() => ({ ok: false as const, code: 'TransportError', message, permanent: false }));
  }
}

function enqueued(job: PreparedJob, outcome: Extract<Outcome, { ok: true }>): EnqueuedJob {
  return {
    jobId: job.jobId,
    jobName: job.jobName,
    queue: job.queue,
    runAtMs: job.runAtMs,
    ...(outcome.messageId ? { messageId: outcome.messageId } : {}),
    via: outcome.via,
  };
}

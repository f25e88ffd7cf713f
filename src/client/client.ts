import { type Clock, systemClock } from '../clock.js';
import { InvalidOptionsError, InvalidPayloadError, WharfError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import { routeOf, scheduleEnvelope } from '../schedule/dispatch.js';
import type { JobScheduler } from '../schedule/types.js';
import { mapWithConcurrency } from '../transport/sqs/map-with-concurrency.js';
import type { Transport } from '../transport/types.js';
import { type PreparedJob, prepare } from './prepare.js';
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
  /** The app's registry: lets `upsertRecurring` refuse tasks that are declared in code (deployed by CDK). */
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
      const prepared = await prepare(request, clock);
      if (!prepared.ok)
        throw singleError(request.job.name, prepared.payloadProblems, prepared.optionProblems);
      const [outcome] = await sendAll(deps, [prepared.job]);
      if (!outcome?.ok) {
        throw new WharfError(
          'WHARF_ENQUEUE_FAILED',
          `Could not enqueue ${request.job.name} ${prepared.job.jobId}: ${outcome?.detail ?? 'no outcome'}`,
          outcome?.cause ? { cause: outcome.cause } : undefined,
        );
      }
      return enqueued(prepared.job, outcome);
    },
    async enqueueMany(requests) {
      const prepared = await prepareAll(requests, clock);
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

// Exported so wharf-jobs/testing rejects exactly what this client rejects.
export function singleError(
  jobName: string,
  payloadProblems: string[],
  optionProblems: string[],
): WharfError {
  if (optionProblems.length === 0) return new InvalidPayloadError(jobName, payloadProblems);
  return new InvalidOptionsError(`enqueue of "${jobName}"`, [
    ...optionProblems,
    ...payloadProblems.map((p) => `payload: ${p}`),
  ]);
}

export async function prepareAll(requests: readonly EnqueueRequest[], clock: Clock): Promise<PreparedJob[]> {
  const results = await Promise.all(requests.map((request) => prepare(request, clock)));
  const problems: string[] = [];
  const ready: PreparedJob[] = [];
  results.forEach((result, index) => {
    const name = requests[index]?.job.name;
    if (result.ok) ready.push(result.job);
    else
      for (const p of [...result.optionProblems, ...result.payloadProblems])
        problems.push(`#${index} ${name}: ${p}`);
  });
  if (problems.length > 0) {
    const invalid = results.filter((r) => !r.ok).length;
    throw new InvalidOptionsError(
      `bulk enqueue (${invalid} of ${requests.length} jobs invalid; nothing was sent)`,
      problems,
      'WHARF_INVALID_PAYLOAD',
    );
  }
  return ready;
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

import { type Clock, systemClock } from '../clock.js';
import { type DispatchOutcome, dispatch } from '../dispatch/dispatch.js';
import { EnqueueFailedError } from '../errors.js';
import type { LaneMap } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import type { JobScheduler } from '../schedule/types.js';
import type { JobStore } from '../store/types.js';
import type { Transport } from '../transport/types.js';
import { prepareOrReject } from './enqueue-rejection.js';
import type { PreparedJob } from './prepare.js';
import { queueKindOf } from './queue-fit.js';
import { scheduleMethods } from './schedule-client.js';
import { transactItemsMethod } from './transact-items.js';
import type { EnqueuedJob, EnqueueFailure, WharfClient } from './types.js';

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
  /**
   * The priority lanes of the queues (README "Priority lanes"): a job goes to the lane its enqueue or its
   * definition names, and a lane its queue does not declare is refused. `createAwsRuntime` reads them from
   * WHARF_LANES_<QUEUE>. @default none: no queue has lanes, and any `priority` is refused
   */
  readonly lanes?: LaneMap;
  /**
   * The job store: unique keys and debounced bursts are items in it (README "Unique jobs", "Debounce"), and
   * `cancel` writes its cancellation there. @default none: a unique or debounced job is refused at enqueue, and
   * `cancel` can only delete pending schedules
   */
  readonly store?: JobStore;
  /** The job table that `transactItems` puts outbox entries in (README "Enqueue after commit"). @default none */
  readonly outboxTable?: string;
  /** How long a cancellation of a job not yet claimed is kept. @default 30 days (the engine's record retention) */
  readonly recordRetentionMs?: number;
}

/**
 * The enqueue SDK: validates, builds envelopes and sends them through the transport, batching where it can, or
 * hands jobs due beyond 15 minutes to the scheduler. Also cancels and moves scheduled jobs and manages recurring
 * tasks at run time (see schedule-client.ts).
 */
export function createClient(options: ClientOptions): WharfClient {
  const clock = options.clock ?? systemClock;
  const lanes = options.lanes ?? {};
  const deps = { ...options, clock };
  const queueKind = (queue: string) => queueKindOf(options.transport, queue);
  const client: WharfClient = {
    async enqueue(request) {
      const [job] = await prepareOrReject([request], clock, options.registry, false, lanes, queueKind);
      const [outcome] = await sendAll(deps, [job!]);
      if (!outcome?.ok) {
        throw new EnqueueFailedError(
          `Could not enqueue ${request.job.name} ${job!.jobId}: ${outcome?.detail ?? 'no outcome'}`,
          outcome?.cause ? { cause: outcome.cause } : undefined,
        );
      }
      return enqueued(job!, outcome);
    },
    async enqueueMany(requests) {
      const prepared = await prepareOrReject(requests, clock, options.registry, true, lanes, queueKind);
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
            error: new EnqueueFailedError(
              outcome?.detail ?? 'no outcome',
              outcome?.cause ? { cause: outcome.cause } : undefined,
            ),
          });
      });
      return { enqueued: done, duplicates: [], failed };
    },
    ...scheduleMethods(deps),
    transactItems: transactItemsMethod(deps),
  };
  return client;
}

/**
 * The producer's policy on a Scheduler failure is `fail`: the caller hears that the job was not scheduled and can
 * retry or give up, rather than holding an id that `cancel` and `reschedule` would not find (see dispatch.ts).
 */
function sendAll(deps: ClientOptions & { readonly clock: Clock }, jobs: readonly PreparedJob[]) {
  return dispatch(
    deps,
    jobs.map((job) => ({ queue: job.address, envelope: job.envelope, message: job.message })),
    'fail',
  );
}

function enqueued(job: PreparedJob, outcome: Extract<DispatchOutcome, { ok: true }>): EnqueuedJob {
  return {
    outcome: 'enqueued',
    jobId: job.jobId,
    jobName: job.jobName,
    queue: job.queue,
    ...(job.lane === undefined ? {} : { lane: job.lane }),
    runAtMs: job.runAtMs,
    ...(outcome.messageId ? { messageId: outcome.messageId } : {}),
    via: outcome.via,
  };
}

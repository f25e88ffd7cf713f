import { type Clock, systemClock } from '../clock.js';
import { type DispatchOutcome, dispatch } from '../dispatch/dispatch.js';
import { EnqueueFailedError } from '../errors.js';
import type { LaneMap } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import { producerTrace, type TraceHeaderSource } from '../observe/trace-header.js';
import type { JobScheduler } from '../schedule/types.js';
import type { JobStore } from '../store/types.js';
import type { Transport } from '../transport/types.js';
import { type Admission, admit } from './admission.js';
import { batchMethods } from './batch-client.js';
import { prepareOrReject } from './enqueue-rejection.js';
import type { PreparedJob } from './prepare.js';
import { queueKindOf } from './queue-fit.js';
import { scheduleMethods } from './schedule-client.js';
import { transactItemsMethod } from './transact-items.js';
import type { EnqueuedJob, EnqueueFailure, EnqueueManyResult, WharfClient } from './types.js';
import { waitForMethod } from './wait-for.js';

/** What sending prepared jobs needs: lanes were applied when they were prepared. */
type SendDeps = Omit<ClientOptions, 'lanes'> & { readonly clock: Clock };

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
  /** How long a cancellation of a job not yet claimed is kept. @default 7 days (the engine's record retention) */
  readonly recordRetentionMs?: number;
  /**
   * The enqueueing request's X-Ray trace header, asked once per enqueue call and carried by its jobs (README
   * "Traces"): an HTTP request's `X-Amzn-Trace-Id`, or `traceHeaderFrom(tracer)` for the current Powertools
   * Tracer (sub)segment. A header without a well-formed Root is left out. @default the Lambda invocation's
   * (`_X_AMZN_TRACE_ID`), none outside Lambda
   */
  readonly traceHeader?: TraceHeaderSource;
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
      const [job] = await prepareOrReject(
        [request],
        clock,
        options.registry,
        false,
        lanes,
        queueKind,
        producerTrace(options.traceHeader),
      );
      const [admission] = await admit(deps, [job!]);
      if (admission!.kind === 'duplicate') return duplicateOf(admission!.job, admission!.holder);
      const [outcome] = await sendAll(deps, [admission!.job]);
      if (!outcome?.ok) {
        await giveBack(deps, [admission!]);
        throw new EnqueueFailedError(
          `Could not enqueue ${request.job.name} ${admission!.job.jobId}: ${outcome?.detail ?? 'no outcome'}`,
          outcome?.cause ? { cause: outcome.cause } : undefined,
        );
      }
      return enqueued(admission!, outcome);
    },
    async enqueueMany(requests) {
      const prepared = await prepareOrReject(
        requests,
        clock,
        options.registry,
        true,
        lanes,
        queueKind,
        producerTrace(options.traceHeader),
      );
      return sendPrepared(deps, prepared);
    },
    ...batchMethods(deps, queueKind),
    ...scheduleMethods(deps),
    transactItems: transactItemsMethod(deps),
    waitFor: waitForMethod(deps),
  };
  return client;
}

/** Sends prepared jobs (unique keys taken first), reporting each: enqueued, duplicate, or failed. */
export async function sendPrepared(
  deps: SendDeps,
  prepared: readonly PreparedJob[],
): Promise<EnqueueManyResult> {
  const admissions = await admit(deps, prepared);
  const sending = admissions.flatMap((a, index) => (a.kind === 'send' ? [{ a, index }] : []));
  const outcomes = await sendAll(
    deps,
    sending.map(({ a }) => a.job),
  );
  const failed: EnqueueFailure[] = [];
  const done: EnqueuedJob[] = [];
  sending.forEach(({ a, index }, i) => {
    const outcome = outcomes[i];
    if (outcome?.ok) done.push(enqueued(a, outcome));
    else
      failed.push({
        index,
        jobName: a.job.jobName,
        jobId: a.job.jobId,
        error: new EnqueueFailedError(
          outcome?.detail ?? 'no outcome',
          outcome?.cause ? { cause: outcome.cause } : undefined,
        ),
      });
  });
  await giveBack(
    deps,
    failed.map((f) => admissions[f.index]!),
  );
  const duplicates = admissions.flatMap((a, index) =>
    a.kind === 'duplicate' ? [{ ...duplicateOf(a.job, a.holder), index }] : [],
  );
  return { enqueued: done, duplicates, failed };
}

/**
 * The producer's policy on a Scheduler failure is `fail`: the caller hears that the job was not scheduled and can
 * retry or give up, rather than holding an id that `cancel` and `reschedule` would not find (see dispatch.ts).
 */
function sendAll(deps: SendDeps, jobs: readonly PreparedJob[]) {
  return dispatch(
    deps,
    jobs.map((job) => ({ queue: job.address, envelope: job.envelope, message: job.message })),
    'fail',
  );
}

function enqueued(
  admission: Extract<Admission, { kind: 'send' }>,
  outcome: Extract<DispatchOutcome, { ok: true }>,
): EnqueuedJob {
  const { job } = admission;
  return {
    outcome: 'enqueued',
    jobId: job.jobId,
    jobName: job.jobName,
    queue: job.queue,
    ...(job.lane === undefined ? {} : { lane: job.lane }),
    runAtMs: job.runAtMs,
    ...(job.envelope.expiresAtMs === undefined ? {} : { expiresAtMs: job.envelope.expiresAtMs }),
    ...(admission.debounced ? { debounced: admission.debounced } : {}),
    ...(outcome.messageId ? { messageId: outcome.messageId } : {}),
    via: outcome.via,
  };
}

/** Not sent: the job that holds the key is the one the caller hears about. */
export function duplicateOf(job: PreparedJob, holder: string): EnqueuedJob {
  return {
    outcome: 'duplicate',
    jobId: holder,
    jobName: job.jobName,
    queue: job.queue,
    ...(job.lane === undefined ? {} : { lane: job.lane }),
    runAtMs: job.runAtMs,
  };
}

/**
 * A unique key taken for a send that failed goes back at once, so the caller's retry is not its own duplicate.
 * Best-effort: if that fails too, the lock's expiry frees the key.
 */
async function giveBack(deps: SendDeps, admissions: readonly Admission[]) {
  await Promise.all(
    admissions.map(async (a) => {
      if (a.kind !== 'send' || !a.lock || !deps.store) return;
      await deps.store.releaseUnique({ ...a.lock, nowMs: deps.clock.nowMs() }).catch(() => undefined);
    }),
  );
}

import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { sendBatchCallbacks } from '../dispatch/batch-callbacks.js';
import { toOutgoing } from '../envelope/outgoing.js';
import { ConfigError, ConflictError, InvalidOptionsError } from '../errors.js';
import { producerTrace } from '../observe/trace-header.js';
import { callbackJobId } from '../store/batch-decision.js';
import type { BatchCallback, BatchCallbackKind, BatchRecord, JobStore } from '../store/types.js';
import type { QueueKind } from '../transport/types.js';
import type { ClientOptions } from './client.js';
import { sendPrepared } from './client.js';
import { prepareOrReject } from './enqueue-rejection.js';
import type { KnownLanes, PreparedJob } from './prepare.js';
import type { EnqueueManyResult, EnqueueRequest } from './types.js';

/** The callbacks of a batch (README "Batches"), each a request as `job.with(payload)` builds it. */
export interface BatchOptions {
  /** Runs once when every child succeeded. */
  readonly onSuccess?: EnqueueRequest;
  /** Runs once when every child ended, whatever its outcome. */
  readonly onFinish?: EnqueueRequest;
  /** Runs once at the end when at least one child ended dead or discarded. */
  readonly onDiscard?: EnqueueRequest;
  /** @default a random UUID */
  readonly batchId?: string;
  /** Shown by the CLI and the dashboard. */
  readonly description?: string;
}

export interface BatchResult extends EnqueueManyResult {
  readonly batchId: string;
  /** The record once the children that were not sent (failed, or duplicates of a unique key) were taken out. */
  readonly batch: BatchRecord;
}

/** wharf-jobs/testing passes `lanes: 'unchecked'` and no `queueKind`, as its capturing enqueue does. */
type Deps = Omit<ClientOptions, 'lanes'> & { readonly clock: Clock; readonly lanes?: KnownLanes };
type QueueKindOf = ((queue: string) => QueueKind) | undefined;

const BATCH_RETENTION_MS = 7 * 24 * 3_600_000;
const KINDS: readonly BatchCallbackKind[] = ['onSuccess', 'onFinish', 'onDiscard'];

export function batchMethods(deps: Deps, queueKind?: (queue: string) => QueueKind) {
  return {
    enqueueBatch: (requests: readonly EnqueueRequest[], options: BatchOptions = {}) =>
      enqueueBatch(deps, queueKind, requests, options),
    addToBatch: (batchId: string, requests: readonly EnqueueRequest[]) =>
      addToBatch(deps, queueKind, batchId, requests),
  };
}

/**
 * Validates every child and callback as an enqueue does (nothing is sent if any is refused), creates the batch
 * record with every child pending, then sends the children. Those not sent are taken out of the batch; if they
 * were the last it waited for, the callbacks are sent here.
 */
async function enqueueBatch(
  deps: Deps,
  queueKind: QueueKindOf,
  requests: readonly EnqueueRequest[],
  options: BatchOptions,
): Promise<BatchResult> {
  const store = requireStore(deps);
  const batchId = options.batchId ?? randomUUID();
  const callbacks = await prepareCallbacks(deps, queueKind, batchId, options);
  const children = await prepareChildren(deps, queueKind, batchId, requests);
  const now = deps.clock.nowMs();
  const created = await store.createBatch({
    batchId,
    total: children.length,
    callbacks,
    nowMs: now,
    expiresAtSec: Math.ceil((now + (deps.recordRetentionMs ?? BATCH_RETENTION_MS)) / 1000),
    ...(options.description === undefined ? {} : { description: options.description }),
  });
  if (created === 'exists')
    throw new ConflictError(`batch ${JSON.stringify(batchId)} already exists: give each batch its own id`);
  const result = await sendPrepared(deps, children);
  const batch = await takeOutUnsent(deps, store, batchId, result);
  return { ...result, batchId, batch };
}

/** A child's job adding to its own open batch (`ctx.batch.add`): the batch grows before anything is sent. */
async function addToBatch(
  deps: Deps,
  queueKind: QueueKindOf,
  batchId: string,
  requests: readonly EnqueueRequest[],
): Promise<EnqueueManyResult> {
  const store = requireStore(deps);
  const children = await prepareChildren(deps, queueKind, batchId, requests);
  const grown = await store.resizeBatch({ batchId, delta: children.length, nowMs: deps.clock.nowMs() });
  if (grown.kind === 'closed')
    throw new ConflictError(
      `batch ${JSON.stringify(batchId)} has finished (or does not exist): nothing can join it`,
    );
  const result = await sendPrepared(deps, children);
  await takeOutUnsent(deps, store, batchId, result);
  return result;
}

async function takeOutUnsent(
  deps: Deps,
  store: JobStore,
  batchId: string,
  result: EnqueueManyResult,
): Promise<BatchRecord> {
  const unsent = result.failed.length + result.duplicates.length;
  const nowMs = deps.clock.nowMs();
  const shrunk = unsent === 0 ? undefined : await store.resizeBatch({ batchId, delta: -unsent, nowMs });
  const batch = shrunk?.batch ?? (await store.getBatch(batchId, nowMs));
  if (!batch)
    throw new ConflictError(`batch ${JSON.stringify(batchId)} disappeared while its children were sent`);
  // The unsent were the last the batch waited for (or it had no child at all): no child will send the callbacks.
  if (!(await sendBatchCallbacks({ ...deps, store }, batch, 'fail')))
    throw new ConfigError(
      `batch ${JSON.stringify(batchId)} finished but its callbacks could not be sent; run the enqueue again with the same batchId after checking the queue`,
    );
  return batch;
}

async function prepareChildren(
  deps: Deps,
  queueKind: QueueKindOf,
  batchId: string,
  requests: readonly EnqueueRequest[],
): Promise<PreparedJob[]> {
  const debounced = requests.flatMap((r, i) =>
    r.job.options.enqueue.debounce
      ? [
          `#${i} ${r.job.name}: a debounced job cannot be a batch child (a burst runs once for many enqueues, so the batch could not count each)`,
        ]
      : [],
  );
  if (debounced.length > 0) throw new InvalidOptionsError('batch children', debounced);
  const prepared = await prepareOrReject(
    requests,
    deps.clock,
    deps.registry,
    true,
    deps.lanes ?? {},
    queueKind,
    producerTrace(deps.traceHeader),
  );
  const now = deps.clock.nowMs();
  return prepared.map((job) => {
    const envelope = { ...job.envelope, batch: batchId };
    return { ...job, envelope, message: toOutgoing(envelope, now) };
  });
}

/** Each callback is validated as an enqueue, under its deterministic job id, and kept as the envelope to send. */
async function prepareCallbacks(
  deps: Deps,
  queueKind: QueueKindOf,
  batchId: string,
  options: BatchOptions,
): Promise<BatchCallback[]> {
  const given = KINDS.flatMap((kind) => (options[kind] ? [{ kind, request: options[kind] }] : []));
  const problems = given.flatMap(({ kind, request }) => {
    const { unique, debounce } = request.job.options.enqueue;
    const own = request.options ?? {};
    return [
      ...(unique || debounce
        ? [`${kind}: a callback cannot be unique or debounced; it runs once by its own id`]
        : []),
      ...(own.jobId !== undefined
        ? [`${kind}: a callback's job id is the batch's (${callbackJobId(batchId, kind)})`]
        : []),
      ...(own.delay !== undefined || own.at !== undefined
        ? [`${kind}: a callback runs when its batch ends, so it takes neither delay nor at`]
        : []),
    ];
  });
  if (problems.length > 0) throw new InvalidOptionsError('batch callbacks', problems);
  const requests = given.map(({ kind, request }) => ({
    ...request,
    options: { ...request.options, jobId: callbackJobId(batchId, kind) },
  }));
  const prepared = await prepareOrReject(
    requests,
    deps.clock,
    deps.registry,
    true,
    deps.lanes ?? {},
    queueKind,
    producerTrace(deps.traceHeader),
  );
  return prepared.map((job, i) => ({
    kind: given[i]!.kind,
    address: job.address,
    envelope: { ...job.envelope, callbackOf: batchId },
  }));
}

function requireStore(deps: Deps): JobStore {
  if (!deps.store)
    throw new ConfigError(
      'a batch needs the job store (its record counts the children): give the client its store, as createAwsRuntime and the embedded engine do',
    );
  return deps.store;
}

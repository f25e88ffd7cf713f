import { ConfigError } from '../errors.js';
import type { BatchOptions, BatchResult } from './batch-client.js';
import { getDefaultEnqueuer } from './default-enqueuer.js';
import type { EnqueueManyResult, EnqueueRequest } from './types.js';

/**
 * Enqueues jobs as one batch through the configured client, with callbacks that run when they end (README
 * "Batches"): `onSuccess` when every child succeeded, `onFinish` when every child ended, `onDiscard` when some
 * ended dead or discarded.
 */
export function performBatch(
  requests: readonly EnqueueRequest[],
  options: BatchOptions = {},
): Promise<BatchResult> {
  const enqueuer = getDefaultEnqueuer();
  if (!enqueuer.enqueueBatch) throw noBatches();
  return enqueuer.enqueueBatch(requests, options);
}

/** What `ctx.batch.add` calls: the running job's own client, as `performLater` inside a job uses. */
export function addToOpenBatch(
  batchId: string,
  requests: readonly EnqueueRequest[],
): Promise<EnqueueManyResult> {
  const enqueuer = getDefaultEnqueuer();
  if (!enqueuer.addToBatch) throw noBatches();
  return enqueuer.addToBatch(batchId, requests);
}

function noBatches(): ConfigError {
  return new ConfigError(
    'the configured wharf client cannot keep batches: batches need the job store (createAwsRuntime, the embedded engine, or enableTestMode with performEnqueued)',
  );
}

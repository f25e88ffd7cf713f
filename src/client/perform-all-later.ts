import { getDefaultEnqueuer } from './default-enqueuer.js';
import type { EnqueueManyResult, EnqueueRequest } from './types.js';

/** Enqueues many jobs at once through the configured client (`job.with(payload)` builds each request). */
export function performAllLater(requests: readonly EnqueueRequest[]): Promise<EnqueueManyResult> {
  return getDefaultEnqueuer().enqueueMany(requests);
}

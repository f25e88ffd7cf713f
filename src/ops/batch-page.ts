import type { JobStore } from '../store/types.js';
import {
  type BatchPage,
  batchPageLimit,
  decodeBatchCursor,
  encodeBatchCursor,
  MAX_BATCH_PAGE,
  toBatchView,
} from './batch-view.js';

/**
 * A page of the store's batch listing, resumed after the cursor's batch. One more than the page is asked for, so
 * a cursor is given only when a further batch exists; at the largest page (the store's cap) a full page gives one
 * anyway, and the page after it may be empty.
 */
export async function listBatchPage(
  store: JobStore,
  query: { readonly limit?: number; readonly cursor?: string },
  nowMs: number,
): Promise<BatchPage> {
  const limit = batchPageLimit(query.limit);
  const after = query.cursor === undefined ? undefined : decodeBatchCursor(query.cursor);
  const asked = Math.min(limit + 1, MAX_BATCH_PAGE);
  const found = await store.listBatches({ limit: asked, ...(after ? { after } : {}) }, nowMs);
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const more = found.length > limit || (asked === limit && found.length === limit);
  return {
    batches: page.map(toBatchView),
    ...(more && last ? { cursor: encodeBatchCursor(last) } : {}),
  };
}

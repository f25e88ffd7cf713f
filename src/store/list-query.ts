import { InvalidOptionsError } from '../errors.js';
import type { JobRecord, ListQuery } from './types.js';

/** @default 50 */
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100;

export function listLimit(query: ListQuery): number {
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new InvalidOptionsError('job list query', [
      `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, received ${String(limit)}`,
    ]);
  }
  return limit;
}

/** Cursors are opaque to callers: base64url JSON that only the adapter that issued it reads back. */
export function encodeCursor(state: unknown): string {
  return Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');
}

/** Decodes a cursor and checks its shape; anything else is a caller error, reported as such. */
export function decodeCursor<T>(cursor: string, isValid: (state: unknown) => state is T): T {
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    state = undefined;
  }
  if (!isValid(state)) {
    throw new InvalidOptionsError('job list query', [
      'cursor is not one this store issued for this query: pass back the cursor of the previous page unchanged',
    ]);
  }
  return state;
}

/** Newest first; the id breaks ties so that pages never skip or repeat a record. */
export function newestFirst(a: JobRecord, b: JobRecord): number {
  return b.updatedAtMs - a.updatedAtMs || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);
}

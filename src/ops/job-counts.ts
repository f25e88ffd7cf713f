import { InvalidOptionsError } from '../errors.js';
import { JOB_STATUSES, type JobStatus, type JobStore } from '../store/types.js';
import type { JobCounts } from './types.js';

const DEFAULT_MAX_RECORDS = 1_000;
const MAX_RECORDS = 10_000;
const PAGE = 100;

/**
 * Counts job records by status in one walk of the unfiltered listing, all statuses at once. DynamoDB has no count
 * to ask for, so this reads records: on DynamoDB a filtered Scan, billed for every item read, which is why the
 * walk stops at `maxRecords` (1,000 records of about 1 KB are some 125 read units) and says whether it saw them
 * all. A page may come back short, even empty, while the table goes on (the scan skips items that are not job
 * records): the walk stops after twice the pages `maxRecords` needs, so it never reads without bound either.
 */
export async function countJobs(
  store: JobStore,
  nowMs: number,
  maxRecords: number = DEFAULT_MAX_RECORDS,
): Promise<JobCounts> {
  if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > MAX_RECORDS) {
    throw new InvalidOptionsError('job counts', [
      `maxRecords must be a whole number from 1 to ${MAX_RECORDS} (received ${String(maxRecords)})`,
    ]);
  }
  const byStatus = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
  const maxPages = 2 * Math.ceil(maxRecords / PAGE);
  let read = 0;
  let cursor: string | undefined;
  for (let pages = 0; pages < maxPages && read < maxRecords; pages++) {
    const limit = Math.min(PAGE, maxRecords - read);
    const page = await store.list({ limit, ...(cursor === undefined ? {} : { cursor }) }, nowMs);
    for (const record of page.records) byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
    read += page.records.length;
    cursor = page.cursor;
    if (cursor === undefined) break;
  }
  return { byStatus, read, complete: cursor === undefined };
}

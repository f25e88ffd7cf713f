import { nowSeconds } from '../claim-decision.js';
import { decodeCursor, encodeCursor } from '../list-query.js';
import type { JobRecord, JobStatus } from '../types.js';
import { ScanCommand } from './dynamodb-api.js';
import type { DynamoContext } from './dynamodb-context.js';
import { createExpression } from './expression.js';
import { fromItem, JOB_KEY_PREFIX } from './job-item.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

const PK = JOB_TABLE_SCHEMA.partitionKey;

/**
 * Scan requests one page may make. With a status filter most items read may not match, so a page stops short
 * (possibly empty, always with a cursor while the table goes on) rather than read the table without bound.
 */
const MAX_SCAN_REQUESTS = 5;

interface ScanCursor {
  readonly status?: JobStatus;
  readonly afterPk: string;
}

/**
 * Jobs in table order (no particular order), all of them or those of one status that the sparse status index
 * leaves out (`running`, `succeeded`). A Scan is billed for every item it reads, matching or not: one page reads
 * at most MAX_SCAN_REQUESTS x `limit` items (0.5 read unit per 4 KB read, eventually consistent), and walking
 * every page reads the whole table once. Only the dashboard and CLI list, and they page.
 */
export async function scanJobs(
  ctx: DynamoContext,
  limit: number,
  cursor: string | undefined,
  nowMs: number,
  status?: JobStatus,
): Promise<{ readonly records: readonly JobRecord[]; readonly cursor?: string }> {
  let afterPk = cursor === undefined ? undefined : decodeCursor(cursor, isScanCursorFor(status)).afterPk;
  const records: JobRecord[] = [];
  for (let round = 0; round < MAX_SCAN_REQUESTS && records.length < limit; round++) {
    const x = createExpression();
    const filters = [
      `begins_with(${x.name(PK)}, ${x.string(JOB_KEY_PREFIX)})`,
      `${x.name('expiresAtSec')} >= ${x.number(nowSeconds(nowMs))}`,
      ...(status === undefined ? [] : [`${x.name('status')} = ${x.string(status)}`]),
    ];
    const out = await ctx.client.send(
      new ScanCommand({
        TableName: ctx.tableName,
        // Limit counts items read before the filter, so a page never overshoots `limit`.
        Limit: limit - records.length,
        FilterExpression: filters.join(' AND '),
        ...x.params(),
        ...(afterPk === undefined ? {} : { ExclusiveStartKey: { [PK]: { S: afterPk } } }),
      }),
    );
    records.push(...(out.Items ?? []).map(fromItem));
    afterPk = out.LastEvaluatedKey?.[PK]?.S;
    if (afterPk === undefined) break;
  }
  const next: ScanCursor | undefined =
    afterPk === undefined ? undefined : { ...(status === undefined ? {} : { status }), afterPk };
  return { records, ...(next === undefined ? {} : { cursor: encodeCursor(next) }) };
}

function isScanCursorFor(status: JobStatus | undefined) {
  return (state: unknown): state is ScanCursor => {
    const c = state as Partial<ScanCursor> | null;
    return typeof c?.afterPk === 'string' && c.status === status;
  };
}

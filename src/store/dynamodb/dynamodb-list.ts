import { StoreUnavailableError } from '../../errors.js';
import { isExpired } from '../claim-decision.js';
import { decodeCursor, encodeCursor, listLimit } from '../list-query.js';
import type { JobRecord, JobStatus, ListQuery } from '../types.js';
import { BatchGetItemCommand, QueryCommand } from './dynamodb-api.js';
import type { DynamoContext } from './dynamodb-context.js';
import { scanJobs } from './dynamodb-scan.js';
import { createExpression } from './expression.js';
import { fromItem, type Item, isIndexedStatus, statusShardKey } from './job-item.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

const INDEX = JOB_TABLE_SCHEMA.statusIndex;
const PK = JOB_TABLE_SCHEMA.partitionKey;

/** Where a listing stands in one shard: not started, exhausted, or after this index entry. */
type ShardPosition = null | 'done' | readonly [pk: string, updatedAtMs: number];
interface StatusCursor {
  readonly status: JobStatus;
  readonly after: readonly ShardPosition[];
}
interface IndexEntry {
  readonly shard: number;
  readonly pk: string;
  readonly updatedAtMs: number;
}
interface ShardPage {
  readonly entries: readonly IndexEntry[];
  readonly more: boolean;
}

export type ListPage = { readonly records: readonly JobRecord[]; readonly cursor?: string };

export async function listJobs(ctx: DynamoContext, query: ListQuery, nowMs: number): Promise<ListPage> {
  const limit = listLimit(query);
  // The status index is sparse (JOB_TABLE_SCHEMA): only the statuses it holds list newest first through it.
  if (query.status === undefined || !isIndexedStatus(query.status))
    return scanJobs(ctx, limit, query.cursor, nowMs, query.status);
  return listByStatus(ctx, query.status, limit, query.cursor, nowMs);
}

/** Pages stop short (with a cursor) rather than read on without bound through skipped entries. */
const MAX_ROUNDS = 5;

/**
 * Newest first across the shards of the status index. Expired records stay indexed until TTL deletes them (up to
 * 48 h late) and a record that just changed status may still be indexed under the old one (or, written before
 * the index became sparse, under a status no longer indexed); all are skipped, so the listing reads on until the
 * page is full.
 */
async function listByStatus(
  ctx: DynamoContext,
  status: JobStatus,
  limit: number,
  cursor: string | undefined,
  nowMs: number,
): Promise<ListPage> {
  let positions: readonly ShardPosition[] =
    cursor === undefined
      ? Array<ShardPosition>(INDEX.shards).fill(null)
      : decodeCursor(cursor, isCursorFor(status)).after;
  const records: JobRecord[] = [];
  for (let round = 0; round < MAX_ROUNDS && records.length < limit && !exhausted(positions); round++) {
    const step = await nextEntries(ctx, status, limit - records.length, positions);
    records.push(...(await hydrate(ctx, step.entries, status, nowMs)));
    positions = step.after;
  }
  return { records, ...(exhausted(positions) ? {} : { cursor: encodeCursor({ status, after: positions }) }) };
}

/**
 * The newest `count` index entries after the given positions: each shard gives its newest `count`, the merge keeps
 * the newest `count` overall, and each shard's position moves past what was kept from that shard only. Entries
 * not kept are read again next time, so nothing is skipped or repeated.
 */
async function nextEntries(
  ctx: DynamoContext,
  status: JobStatus,
  count: number,
  positions: readonly ShardPosition[],
) {
  const pages = await Promise.all(
    positions.map((position, shard) => queryShard(ctx, status, shard, count, position)),
  );
  // Stable sort: entries of one shard keep the index's own order, which the positions rely on.
  const entries = pages
    .flatMap((page) => page.entries)
    .sort((a, b) => b.updatedAtMs - a.updatedAtMs)
    .slice(0, count);
  const after = positions.map((position, shard) =>
    nextPosition(
      position,
      pages[shard]!,
      entries.filter((e) => e.shard === shard),
    ),
  );
  return { entries, after };
}

function exhausted(positions: readonly ShardPosition[]): boolean {
  return positions.every((p) => p === 'done');
}

async function queryShard(
  ctx: DynamoContext,
  status: JobStatus,
  shard: number,
  limit: number,
  position: ShardPosition,
): Promise<ShardPage> {
  if (position === 'done') return { entries: [], more: false };
  const x = createExpression();
  const partition = statusShardKey(status, shard);
  const out = await ctx.client.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: INDEX.name,
      KeyConditionExpression: `${x.name(INDEX.partitionKey)} = ${x.string(partition)}`,
      ...x.params(),
      ScanIndexForward: false,
      Limit: limit,
      ...(position === null ? {} : { ExclusiveStartKey: indexKey(partition, position) }),
    }),
  );
  const entries = (out.Items ?? []).map((item) => ({
    shard,
    pk: item[PK]?.S ?? '',
    updatedAtMs: Number(item[INDEX.sortKey]?.N),
  }));
  return { entries, more: out.LastEvaluatedKey !== undefined };
}

function nextPosition(position: ShardPosition, page: ShardPage, kept: readonly IndexEntry[]): ShardPosition {
  if (!page.more && kept.length === page.entries.length) return 'done';
  const last = kept.at(-1);
  return last === undefined ? position : [last.pk, last.updatedAtMs];
}

function indexKey(partition: string, [pk, updatedAtMs]: readonly [string, number]): Item {
  return {
    [PK]: { S: pk },
    [INDEX.partitionKey]: { S: partition },
    [INDEX.sortKey]: { N: String(updatedAtMs) },
  };
}

/**
 * The index holds keys only, so the records come from one BatchGetItem. The index lags the table slightly: a
 * record that changed status since it was indexed no longer belongs in this listing and is left out.
 */
async function hydrate(
  ctx: DynamoContext,
  entries: readonly IndexEntry[],
  status: JobStatus,
  nowMs: number,
): Promise<JobRecord[]> {
  const byPk = new Map<string, JobRecord>();
  // BatchGetItem refuses duplicate keys; an entry seen twice (the index moving under us) is fetched once.
  let keys: Item[] = [...new Set(entries.map((e) => e.pk))].map((pk) => ({ [PK]: { S: pk } }));
  for (let round = 0; keys.length > 0; round++) {
    if (round === 3) throw new StoreUnavailableError('list (DynamoDB left keys unprocessed three times)');
    const out = await ctx.client.send(
      new BatchGetItemCommand({ RequestItems: { [ctx.tableName]: { Keys: keys } } }),
    );
    for (const item of out.Responses?.[ctx.tableName] ?? []) byPk.set(item[PK]?.S ?? '', fromItem(item));
    keys = out.UnprocessedKeys?.[ctx.tableName]?.Keys ?? [];
  }
  return entries
    .map((e) => byPk.get(e.pk))
    .filter((r): r is JobRecord => r !== undefined && r.status === status && !isExpired(r, nowMs));
}

function isCursorFor(status: JobStatus) {
  return (state: unknown): state is StatusCursor => {
    const c = state as Partial<StatusCursor> | null;
    return (
      c?.status === status &&
      Array.isArray(c.after) &&
      c.after.length === INDEX.shards &&
      c.after.every(isPosition)
    );
  };
}

function isPosition(p: unknown): p is ShardPosition {
  return (
    p === null ||
    p === 'done' ||
    (Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'number')
  );
}

import { BATCH_OUTCOMES, type BatchCallback, type BatchOutcome, type BatchRecord } from '../batch-types.js';
import type { Item } from './job-item.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

const PK = JOB_TABLE_SCHEMA.partitionKey;

/**
 * A batch's items in the job table (README "Batches"). Like unique and debounce items (enqueue-item.ts), their keys
 * cannot collide with job records (`job#<id>`) and they carry no `statusShard`, so they never show as jobs. The
 * record holds the counters and the callbacks' envelopes (JSON); a child's marker is a key and a TTL, nothing more.
 */
export const BATCH_ITEM = {
  record: (batchId: string): Item => ({ [PK]: { S: `batch#${batchId}` } }),
  child: (batchId: string, jobId: string): Item => ({ [PK]: { S: `batch#${batchId}/child#${jobId}` } }),
} as const;

export const BATCH_KEY_PREFIX = 'batch#';

export const BATCH_ATTRIBUTES = {
  total: 'total',
  pending: 'pending',
  description: 'description',
  callbacks: 'callbacks',
  createdAtMs: 'createdAtMs',
  /** When a count or a resize last changed `pending`: the batch's finish time once `pending` is 0. */
  changedAtMs: 'changedAtMs',
  callbacksSentAtMs: 'callbacksSentAtMs',
  /** The child whose count last changed `pending`: once it is 0, the one that finished the batch. */
  lastCounted: 'lastCounted',
  expiresAtSec: JOB_TABLE_SCHEMA.ttlAttribute,
} as const;

/** The counter attribute of one outcome (`n_succeeded`...). */
export function countAttribute(outcome: BatchOutcome): string {
  return `n_${outcome}`;
}

export function toBatchItem(batch: BatchRecord): Item {
  const a = BATCH_ATTRIBUTES;
  const item: Item = {
    ...BATCH_ITEM.record(batch.batchId),
    [a.total]: { N: String(batch.total) },
    [a.pending]: { N: String(batch.pending) },
    [a.callbacks]: { S: JSON.stringify(batch.callbacks) },
    [a.createdAtMs]: { N: String(batch.createdAtMs) },
    [a.changedAtMs]: { N: String(batch.finishedAtMs ?? batch.createdAtMs) },
    [a.expiresAtSec]: { N: String(batch.expiresAtSec) },
  };
  if (batch.description !== undefined) item[a.description] = { S: batch.description };
  for (const outcome of BATCH_OUTCOMES) item[countAttribute(outcome)] = { N: String(batch.counts[outcome]) };
  return item;
}

/** The record an item holds; undefined for no item, a child marker, or an item edited into something else. */
export function batchOf(item: Item | undefined): BatchRecord | undefined {
  const key = item?.[PK]?.S;
  if (!item || key === undefined || !key.startsWith(BATCH_KEY_PREFIX) || key.includes('/child#'))
    return undefined;
  const a = BATCH_ATTRIBUTES;
  const num = (name: string) => Number(item[name]?.N);
  const total = num(a.total);
  const pending = num(a.pending);
  if (!Number.isFinite(total) || !Number.isFinite(pending)) return undefined;
  const counts = Object.fromEntries(BATCH_OUTCOMES.map((o) => [o, num(countAttribute(o)) || 0])) as Record<
    BatchOutcome,
    number
  >;
  const sent = item[a.callbacksSentAtMs]?.N;
  const description = item[a.description]?.S;
  return {
    batchId: key.slice(BATCH_KEY_PREFIX.length),
    ...(description === undefined ? {} : { description }),
    total,
    pending,
    counts,
    callbacks: JSON.parse(item[a.callbacks]?.S ?? '[]') as BatchCallback[],
    createdAtMs: num(a.createdAtMs),
    ...(pending === 0 ? { finishedAtMs: num(a.changedAtMs) } : {}),
    ...(sent === undefined ? {} : { callbacksSentAtMs: Number(sent) }),
    expiresAtSec: num(a.expiresAtSec),
  };
}

import type { JobRecord, JobStatus } from '../types.js';
import type { AttributeValue } from './dynamodb-api.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

export type Item = Record<string, AttributeValue>;

/** Attributes the table needs that are not part of a JobRecord. */
export const STORAGE_ATTRIBUTES = {
  partitionKey: JOB_TABLE_SCHEMA.partitionKey,
  statusShard: JOB_TABLE_SCHEMA.statusIndex.partitionKey,
  /** Random per claim request: lets a claim recognise its own write when the SDK retried after a lost response. */
  claimToken: 'claimToken',
} as const;

/**
 * Job records share the table with other items (flow control's `slot#`, `throttle#` and `pauses`, see
 * flow-item.ts): keys say which, and listings read only keys with this prefix.
 */
export const JOB_KEY_PREFIX = 'job#';

/**
 * Free-form values are stored as JSON strings: they read as written in the console, cannot hit DynamoDB's
 * nesting limit, and come back exactly as the memory store keeps them.
 */
const JSON_FIELDS: ReadonlySet<string> = new Set<keyof JobRecord>([
  'lastError',
  'failures',
  'result',
  'progress',
  'payload',
  'deferred',
  'steps',
]);
const STORAGE_ONLY: ReadonlySet<string> = new Set(Object.values(STORAGE_ATTRIBUTES));

export function jobKey(jobId: string): Item {
  return { [STORAGE_ATTRIBUTES.partitionKey]: { S: `${JOB_KEY_PREFIX}${jobId}` } };
}

const INDEXED: ReadonlySet<string> = new Set(JOB_TABLE_SCHEMA.statusIndex.statuses);

/** Whether records with this status carry the status index key (the index is sparse: see JOB_TABLE_SCHEMA). */
export function isIndexedStatus(status: JobStatus): boolean {
  return INDEXED.has(status);
}

/** The status index partition a job's record sits in while it has this status (see JOB_TABLE_SCHEMA). */
export function statusShardKey(status: JobStatus, shard: number): string {
  return `${status}#${shard}`;
}

/** A stable shard for a job id (FNV-1a), the same in every process that writes the record. */
export function shardOf(jobId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < jobId.length; i++) {
    hash ^= jobId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % JOB_TABLE_SCHEMA.statusIndex.shards;
}

export function encodeField(field: string, value: unknown): AttributeValue {
  if (JSON_FIELDS.has(field)) return { S: JSON.stringify(value) };
  if (typeof value === 'number') return { N: String(value) };
  return { S: String(value) };
}

/** The full item for a record, as PutItem writes it. */
export function toItem(record: JobRecord, claimToken?: string): Item {
  const item: Item = {
    ...jobKey(record.jobId),
    ...(isIndexedStatus(record.status)
      ? { [STORAGE_ATTRIBUTES.statusShard]: { S: statusShardKey(record.status, shardOf(record.jobId)) } }
      : {}),
    ...(claimToken === undefined ? {} : { [STORAGE_ATTRIBUTES.claimToken]: { S: claimToken } }),
  };
  for (const [field, value] of Object.entries(record)) {
    if (value !== undefined) item[field] = encodeField(field, value);
  }
  return item;
}

export function fromItem(item: Item): JobRecord {
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (STORAGE_ONLY.has(name)) continue;
    if (value.N !== undefined) record[name] = Number(value.N);
    else if (value.S !== undefined) record[name] = JSON_FIELDS.has(name) ? parseJson(value.S) : value.S;
  }
  return record as unknown as JobRecord;
}

export function claimTokenOf(item: Item): string | undefined {
  return item[STORAGE_ATTRIBUTES.claimToken]?.S;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // hand-edited in the console; the rest of the record is still worth returning
  }
}

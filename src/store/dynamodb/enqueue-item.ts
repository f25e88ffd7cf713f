import type { DebounceBurst, TakenBurst, UniqueLock } from '../enqueue-control-decision.js';
import type { Item } from './job-item.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

const PK = JOB_TABLE_SCHEMA.partitionKey;

/**
 * Enqueue control's items in the job table (README "Unique jobs", "Debounce"). Like flow control's (flow-item.ts),
 * their keys cannot collide with job records (`job#<id>`), they carry no `statusShard` (so no index entry), and
 * listings and `get` read only `job#` keys, so they never show as jobs. Both kinds are far below 1 KB, except a
 * burst's payload, whose size is what a debounced enqueue costs (see dynamodb-debounce.ts).
 */
export const ENQUEUE_ITEM = {
  /** `holder` (the job id that holds the key) and `lockExpiresAtMs`. */
  unique: (key: string): Item => ({ [PK]: { S: `unique#${key}` } }),
  /**
   * An open burst: the latest enqueue's `token`, `payload` (JSON) and `lastAtMs`; the burst's `jobId`,
   * `firstAtMs`, `deadlineMs` and `count`. Once taken, the run it started (TakenBurst): `takenBy` (the token of
   * the message that took it), `takenJobId`, `takenCount` and the `payload`, until the next enqueue opens another.
   */
  debounce: (key: string): Item => ({ [PK]: { S: `debounce#${key}` } }),
} as const;

export const ENQUEUE_ATTRIBUTES = {
  holder: 'holder',
  lockExpiresAtMs: 'lockExpiresAtMs',
  token: 'token',
  jobId: 'jobId',
  payload: 'payload',
  firstAtMs: 'firstAtMs',
  lastAtMs: 'lastAtMs',
  deadlineMs: 'deadlineMs',
  count: 'count',
  takenBy: 'takenBy',
  takenJobId: 'takenJobId',
  takenCount: 'takenCount',
  expiresAtSec: JOB_TABLE_SCHEMA.ttlAttribute,
} as const;

/**
 * A lock is judged by its `lockExpiresAtMs`, never by whether TTL has deleted it yet (TTL runs up to 48 h late),
 * so its TTL only has to come no earlier than the lock's end by DynamoDB's clock. An hour past it covers any skew
 * between the writer's clock and DynamoDB's; an idle item costs storage for that hour, not writes.
 */
const UNIQUE_TTL_SLACK_SEC = 3_600;

/** When an idle lock item may go: an hour after the lock ends. */
export function uniqueExpiresAtSec(lockExpiresAtMs: number): number {
  return Math.ceil(lockExpiresAtMs / 1000) + UNIQUE_TTL_SLACK_SEC;
}

export function lockOf(item: Item | undefined): UniqueLock | undefined {
  const holder = item?.[ENQUEUE_ATTRIBUTES.holder]?.S;
  const lockExpiresAtMs = Number(item?.[ENQUEUE_ATTRIBUTES.lockExpiresAtMs]?.N);
  if (holder === undefined || !Number.isFinite(lockExpiresAtMs)) return undefined;
  return { holder, lockExpiresAtMs };
}

/** A burst as stored, with its TTL; undefined for no item (or one edited by hand into something else). */
export function burstOf(
  item: Item | undefined,
): (DebounceBurst & { readonly expiresAtSec: number }) | undefined {
  const a = ENQUEUE_ATTRIBUTES;
  const token = item?.[a.token]?.S;
  const jobId = item?.[a.jobId]?.S;
  const [firstAtMs, lastAtMs, count, expiresAtSec] = [a.firstAtMs, a.lastAtMs, a.count, a.expiresAtSec].map(
    (name) => Number(item?.[name]?.N),
  ) as [number, number, number, number];
  if (token === undefined || jobId === undefined || ![firstAtMs, lastAtMs, count].every(Number.isFinite))
    return undefined;
  const deadline = item?.[a.deadlineMs]?.N;
  return {
    token,
    jobId,
    payload: payloadOf(item),
    firstAtMs,
    lastAtMs,
    ...(deadline === undefined ? {} : { deadlineMs: Number(deadline) }),
    count,
    expiresAtSec,
  };
}

/** The run a take left in a burst's place (TakenBurst), with the item's TTL; undefined for an open burst or none. */
export function takenOf(
  item: Item | undefined,
): (TakenBurst & { readonly expiresAtSec: number }) | undefined {
  const a = ENQUEUE_ATTRIBUTES;
  const token = item?.[a.takenBy]?.S;
  const jobId = item?.[a.takenJobId]?.S;
  const count = Number(item?.[a.takenCount]?.N);
  if (token === undefined || jobId === undefined || item?.[a.token] !== undefined) return undefined;
  return { token, jobId, payload: payloadOf(item), count, expiresAtSec: Number(item?.[a.expiresAtSec]?.N) };
}

function payloadOf(item: Item | undefined): unknown {
  const json = item?.[ENQUEUE_ATTRIBUTES.payload]?.S;
  return json === undefined ? undefined : JSON.parse(json);
}

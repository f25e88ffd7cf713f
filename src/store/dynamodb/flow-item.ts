import type { Item } from './job-item.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

const PK = JOB_TABLE_SCHEMA.partitionKey;

/**
 * Flow control's items in the job table. Their keys cannot collide with job records (`job#<id>`), they carry no
 * `statusShard` (so no index entry), and listings and `get` read only `job#` keys, so they never show as jobs.
 */
export const FLOW_ITEM = {
  /** `holders`: a map of holder -> lease end (epoch ms). */
  slot: (key: string): Item => ({ [PK]: { S: `slot#${key}` } }),
  /** `tat`: GCRA's theoretical arrival time (epoch ms, possibly fractional). */
  throttle: (key: string): Item => ({ [PK]: { S: `throttle#${key}` } }),
  /** `pauses`: a map of `<kind>:<name>` -> the pause. One item, so the engine reads every pause with one GetItem. */
  pauses: { [PK]: { S: 'pauses' } } as Item,
} as const;

export const FLOW_ATTRIBUTES = {
  holders: 'holders',
  tat: 'tat',
  pauses: 'pauses',
  expiresAtSec: JOB_TABLE_SCHEMA.ttlAttribute,
} as const;

/**
 * A slot item lives this long past the lease end of the holder that wrote last. Each write can only set the TTL
 * from its own lease, so the margin must cover any lease still live at that time: a lease is at most a job's
 * timeout (12 h at most) plus the engine's lease margin, so a day keeps every live holder's item.
 */
const SLOT_TTL_MARGIN_SEC = 24 * 3_600;

/** When an idle slot item may go: a day after the given lease end. */
export function slotExpiresAtSec(leaseEndMs: number): number {
  return Math.ceil(leaseEndMs / 1000) + SLOT_TTL_MARGIN_SEC;
}

/**
 * When an idle throttle item may go: a period after its tat. From its tat on, the item means what no item means
 * (the next start is now), so deleting it then changes nothing; the period is slack for TTL's clock.
 */
export function throttleExpiresAtSec(tatMs: number, periodMs: number): number {
  return Math.ceil((tatMs + periodMs) / 1000);
}

import { JOB_TABLE_SCHEMA } from './table-schema.js';

// No AWS SDK import here: the client builds outbox entries for the caller's own TransactWriteItems, the relay
// reads them from the table's stream, and the store checks and clears them; all three agree on this layout.

/** The outbox entry of a job in the job table: `outbox#<job id>`, never listed as a job (listings read `job#`). */
export function outboxKey(jobId: string): string {
  return `${OUTBOX_KEY_PREFIX}${jobId}`;
}

export const OUTBOX_KEY_PREFIX = 'outbox#';

/** The attributes of an outbox entry; every one is a string or a number, so it reads the same in both formats. */
export const OUTBOX_ATTRIBUTES = {
  key: JOB_TABLE_SCHEMA.partitionKey,
  /** The job id: what the relay sends under, so a replayed stream record is the same job (exactly-once claims). */
  jobId: 'jobId',
  /** Where the message goes: the queue, or a lane of it (`<queue>/<lane>`). */
  address: 'address',
  /** The envelope, as JSON: what the relay sends. */
  body: 'body',
  /** When the job is due (epoch ms): the relay sends it with its delay, or to the scheduler beyond 15 minutes. */
  runAtMs: 'runAtMs',
  /** TTL: an entry the relay never cleared goes after this (see OUTBOX_RETENTION_SEC). */
  expiresAtSec: JOB_TABLE_SCHEMA.ttlAttribute,
} as const;

/** An entry no relay cleared (stack without the relay, a relay that kept failing) is gone after 14 days. */
export const OUTBOX_RETENTION_SEC = 14 * 86_400;

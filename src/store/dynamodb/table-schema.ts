// No AWS SDK import here: the CDK construct imports these names to build the same table the adapter expects.

/**
 * The job table's layout, shared by the DynamoDB adapter, `createJobTable` and the CDK construct.
 *
 * The status index is write-sharded: its partition key is `<status>#<shard>` with the shard derived from the job
 * id. A single partition key value (say `running`) takes at most ~1,000 writes per second, and a throttled index
 * throttles the table's own writes, so an unsharded `status` key would cap every stored job at a few hundred per
 * second. With 16 shards a listing costs 16 small key-only queries, which only the dashboard and CLI pay.
 * Changing `shards` hides records written under the old count from listings: treat it as part of the format.
 */
export const JOB_TABLE_SCHEMA = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAtSec',
  billingMode: 'PAY_PER_REQUEST',
  statusIndex: {
    name: 'byStatus',
    partitionKey: 'statusShard',
    sortKey: 'updatedAtMs',
    /** Keys only: an index entry costs one write unit whatever the item's size, and lease extensions none. */
    projection: 'KEYS_ONLY',
    shards: 16,
    /**
     * The index is sparse: only records with these statuses carry `statusShard`, so only they have an entry.
     * They are the ones an operator must find quickly and that are few (a failure, a scheduled retry, a released
     * job waiting for its message, a job that ended without running because it expired or was cancelled).
     * `running` and `succeeded` are the hot path and the bulk of the table: keeping them out means the claim of a
     * new job writes no entry and its success removes none, so a small job costs 1 write unit per write. Moving a
     * record to an indexed status costs 1 index write, and leaving one (a retry's claim, a redrive) costs 1 more:
     * both happen only off the happy path. Records that are not indexed are listed with a filtered Scan (see
     * dynamodb-scan.ts). Adding a status here later only leaves records written before out of its listing until
     * they change (`expired` and `cancelled` came with them, so none were written before); removing one leaves
     * stale entries that listings skip.
     */
    statuses: ['queued', 'retrying', 'dead', 'discarded', 'expired', 'cancelled'],
  },
  /** DynamoDB attribute types of every key attribute (S: string, N: number). */
  attributeTypes: { pk: 'S', statusShard: 'S', updatedAtMs: 'N' },
} as const;

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
    /** Keys only: status changes cost one small index write, and lease extensions none. */
    projection: 'KEYS_ONLY',
    shards: 16,
  },
  /** DynamoDB attribute types of every key attribute (S: string, N: number). */
  attributeTypes: { pk: 'S', statusShard: 'S', updatedAtMs: 'N' },
} as const;

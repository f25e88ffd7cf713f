import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from './dynamodb-api.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

/**
 * Creates the job table as JOB_TABLE_SCHEMA describes it (on-demand, the sharded status index, TTL on
 * `expiresAtSec`), for tests, emulators and local tooling; deployed stacks get it from the CDK construct. A table
 * that already exists is kept, and only its TTL setting is ensured.
 */
export async function createJobTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const s = JOB_TABLE_SCHEMA;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: s.billingMode,
        AttributeDefinitions: Object.entries(s.attributeTypes).map(([AttributeName, AttributeType]) => ({
          AttributeName,
          AttributeType,
        })),
        KeySchema: [{ AttributeName: s.partitionKey, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: s.statusIndex.name,
            KeySchema: [
              { AttributeName: s.statusIndex.partitionKey, KeyType: 'HASH' },
              { AttributeName: s.statusIndex.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: s.statusIndex.projection },
          },
        ],
      }),
    );
  } catch (error) {
    if ((error as { name?: unknown } | null)?.name !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName: tableName });
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const ttlStatus = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (ttlStatus === 'ENABLED' || ttlStatus === 'ENABLING') return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: s.ttlAttribute, Enabled: true },
    }),
  );
}

import { DeleteItemCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { OutboxRelayOptions } from '../../src/outbox/relay';
import { outboxKey } from '../../src/store/dynamodb/outbox-item';

/**
 * The relay's two outbox calls on the job table, written here for the moto tests while the DynamoDB store's own
 * `outboxPending` and `clearOutbox` are built beside this (issue 16, store slice): a strongly consistent GetItem
 * of `outbox#<job id>`, and a DeleteItem of it. Once the store has them, the tests pass the store instead.
 */
export function dynamoOutbox(client: DynamoDBClient, tableName: string): OutboxRelayOptions['outbox'] {
  const Key = (jobId: string) => ({ pk: { S: outboxKey(jobId) } });
  return {
    async outboxPending(jobId) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: Key(jobId),
          ConsistentRead: true,
          ProjectionExpression: 'pk',
        }),
      );
      return Item !== undefined;
    },
    async clearOutbox(jobId) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: Key(jobId) }));
    },
  };
}

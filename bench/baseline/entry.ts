import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createBaselineHandler } from './handler';

/** The baseline's Lambda entry for the cold-start figure: Powertools batch + idempotency on DynamoDB, in middy. */
export const handler = createBaselineHandler({
  persistence: new DynamoDBPersistenceLayer({
    tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? 'idempotency',
  }),
});

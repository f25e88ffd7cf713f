import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { createBaselineHandler } from '../../bench/baseline/handler';

/**
 * The bench's Powertools + middy handler (BatchProcessor with partial batch responses, each record idempotent on
 * DynamoDB) as a Lambda function beside the example stack's workers, logging when each record's work starts, the
 * same moment wharf's `started` log line marks (after its claim, as this is after the idempotency record).
 */
export const handler = createBaselineHandler({
  persistence: new DynamoDBPersistenceLayer({
    tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? 'idempotency',
  }),
  onRecordStart: (body) =>
    console.log(JSON.stringify({ baseline: 'started', id: body.id, atMs: Date.now() })),
});

import type { DynamoDBClientClass } from './aws-clients.js';

/**
 * The DynamoDB client class on first need, for callers that may never use DynamoDB (ops, `wharf env`). A file of
 * its own: the runtime, which imports the class statically, must not reach this `import()` (see aws-clients.ts).
 */
export async function importDynamoDBClass(): Promise<DynamoDBClientClass> {
  return (await import('../store/dynamodb/dynamodb-client-class.js')).DynamoDBClient;
}

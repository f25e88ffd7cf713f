import type { DynamoDBClient } from './dynamodb-api.js';
import type { Item } from './job-item.js';

export interface DynamoContext {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * The item a failed condition saw (sent back through ReturnValuesOnConditionCheckFailure: ALL_OLD, so no second
 * read). Any other error is rethrown unchanged: deciding what an outage means is the engine's job.
 */
export function conditionFailedItem(error: unknown): { readonly item: Item | undefined } {
  // Matched by name, not instanceof: the SDK may be bundled more than once.
  if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') throw error;
  return { item: (error as { Item?: Item }).Item };
}

/** Whether a conditional write landed: false when its condition failed; any other error is rethrown. */
export async function conditionHolds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    conditionFailedItem(error);
    return false;
  }
}

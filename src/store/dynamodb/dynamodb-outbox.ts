import { DeleteItemCommand, GetItemCommand } from './dynamodb-api.js';
import type { DynamoContext } from './dynamodb-context.js';
import { createExpression } from './expression.js';
import type { Item } from './job-item.js';
import { OUTBOX_ATTRIBUTES, outboxKey } from './outbox-item.js';

// The relay's side of the outbox (README "Enqueue after commit"): the user's own transaction puts the entry
// (outbox-item.ts), the relay sends it, and these say whether it is still to send and mark it done.

const keyOf = (jobId: string): Item => ({ [OUTBOX_ATTRIBUTES.key]: { S: outboxKey(jobId) } });

/**
 * Whether the entry is still there: one strongly consistent GetItem (a clear just made must be seen, or a
 * replayed stream record would send again). It asks for the key alone, which spares the transfer of the envelope;
 * DynamoDB still bills the read by the entry's size (1 read unit per 4 KB).
 */
export async function outboxPending(ctx: DynamoContext, jobId: string): Promise<boolean> {
  const x = createExpression();
  const out = await ctx.client.send(
    new GetItemCommand({
      TableName: ctx.tableName,
      Key: keyOf(jobId),
      ConsistentRead: true,
      ProjectionExpression: x.name(OUTBOX_ATTRIBUTES.key),
      ...x.params(),
    }),
  );
  return out.Item !== undefined;
}

/** Done with the entry: one DeleteItem, billed by the entry's size. A missing entry is not an error. */
export async function clearOutbox(ctx: DynamoContext, jobId: string): Promise<void> {
  await ctx.client.send(new DeleteItemCommand({ TableName: ctx.tableName, Key: keyOf(jobId) }));
}

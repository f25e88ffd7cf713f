import { decideUnique } from '../enqueue-control-decision.js';
import type { UniqueInput, UniqueRef, UniqueResult } from '../types.js';
import { DeleteItemCommand, PutItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, conditionHolds, type DynamoContext } from './dynamodb-context.js';
import { ENQUEUE_ATTRIBUTES, ENQUEUE_ITEM, lockOf, uniqueExpiresAtSec } from './enqueue-item.js';
import { createExpression } from './expression.js';

/**
 * Takes a unique key by the rule of decideUnique, with one conditional PutItem: the key is free (no item), its
 * lock has lapsed, or `holder` already has it (a retried enqueue of the same job, which moves the lock's end to
 * the new one). A failed condition returns the lock (ALL_OLD), so `held` names its holder without a read.
 */
export async function acquireUnique(ctx: DynamoContext, input: UniqueInput): Promise<UniqueResult> {
  const x = createExpression();
  const a = ENQUEUE_ATTRIBUTES;
  const holder = x.name(a.holder);
  const free = `attribute_not_exists(${holder}) OR ${x.name(a.lockExpiresAtMs)} <= ${x.number(input.nowMs)}`;
  try {
    await ctx.client.send(
      new PutItemCommand({
        TableName: ctx.tableName,
        Item: {
          ...ENQUEUE_ITEM.unique(input.key),
          [a.holder]: { S: input.holder },
          [a.lockExpiresAtMs]: { N: String(input.lockExpiresAtMs) },
          [a.expiresAtSec]: { N: String(uniqueExpiresAtSec(input.lockExpiresAtMs)) },
        },
        ConditionExpression: `${free} OR ${holder} = ${x.string(input.holder)}`,
        ...x.params(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { kind: 'acquired' };
  } catch (error) {
    // The condition is decideUnique's, so the lock it failed on is held; decideUnique says by whom, until when.
    return decideUnique(lockOf(conditionFailedItem(error).item), input);
  }
}

/**
 * Frees a unique key with one DeleteItem conditioned on `holder` still holding it: a newer holder's lock (this
 * one lapsed and another job took the key) is left alone, and so is a key no one holds; neither is an error.
 */
export async function releaseUnique(ctx: DynamoContext, ref: UniqueRef): Promise<void> {
  const x = createExpression();
  await conditionHolds(
    ctx.client.send(
      new DeleteItemCommand({
        TableName: ctx.tableName,
        Key: ENQUEUE_ITEM.unique(ref.key),
        ConditionExpression: `${x.name(ENQUEUE_ATTRIBUTES.holder)} = ${x.string(ref.holder)}`,
        ...x.params(),
      }),
    ),
  );
}

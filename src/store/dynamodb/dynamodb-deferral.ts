import { isExpired, nowSeconds } from '../claim-decision.js';
import { applyChange, deferralChange } from '../record-change.js';
import type { NoteDeferralInput } from '../types.js';
import { PutItemCommand, UpdateItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, conditionHolds, type DynamoContext } from './dynamodb-context.js';
import { createExpression, updateExpression } from './expression.js';
import { fromItem, jobKey, STORAGE_ATTRIBUTES, shardOf, statusShardKey, toItem } from './job-item.js';

/**
 * Notes on a job's record why it waits (deferralChange): one conditional UpdateItem that creates the `queued`
 * record when there is none, or changes only the note on a queued or retrying one, and fails its condition on a
 * running or finished record, which is then left alone. Only a record past its retention costs a second write,
 * which replaces it. Best-effort: the engine ignores a failure, and so does this for a lost race.
 */
export async function noteDeferral(ctx: DynamoContext, input: NoteDeferralInput): Promise<void> {
  const x = createExpression();
  const status = x.name('status');
  const live = `${x.name('expiresAtSec')} >= ${x.number(nowSeconds(input.nowMs))}`;
  const waiting = `${status} IN (${x.string('queued')}, ${x.string('retrying')})`;
  // The change's `status` is set only on creation, so updateExpression leaves the index key alone: a created
  // record enters the index as queued, and a waiting record (an indexed status) keeps the entry it has.
  const shard = x.name(STORAGE_ATTRIBUTES.statusShard);
  const createdShard = x.string(statusShardKey('queued', shardOf(input.jobId)));
  const update = `${updateExpression(x, input.jobId, deferralChange(input))}, ${shard} = if_not_exists(${shard}, ${createdShard})`;
  try {
    await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: jobKey(input.jobId),
        UpdateExpression: update,
        ConditionExpression: `attribute_not_exists(${x.name('pk')}) OR (${live} AND ${waiting})`,
        ...x.params(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    const { item } = conditionFailedItem(error);
    const old = item === undefined ? undefined : fromItem(item);
    // A running or finished record: a note would tell a story that is not true.
    if (old === undefined || !isExpired(old, input.nowMs)) return;
    await replaceExpired(ctx, input, old.fence);
  }
}

/** A fresh queued record in place of one past its retention, unless something revived or replaced it since. */
async function replaceExpired(ctx: DynamoContext, input: NoteDeferralInput, fence: number): Promise<void> {
  const x = createExpression();
  const record = applyChange({ fence }, deferralChange(input));
  const stillExpired = `${x.name('expiresAtSec')} < ${x.number(nowSeconds(input.nowMs))} AND ${x.name('fence')} = ${x.number(fence)}`;
  await conditionHolds(
    ctx.client.send(
      new PutItemCommand({
        TableName: ctx.tableName,
        Item: toItem(record),
        ConditionExpression: `attribute_not_exists(${x.name('pk')}) OR (${stillExpired})`,
        ...x.params(),
      }),
    ),
  );
}

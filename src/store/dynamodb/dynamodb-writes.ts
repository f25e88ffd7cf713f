import { LeaseLostError } from '../../errors.js';
import { isExpired, nowSeconds } from '../claim-decision.js';
import { extendLeaseChange, progressChange, type RecordChange } from '../record-change.js';
import type { JobRecord, JobStatus, RunRef } from '../types.js';
import { GetItemCommand, UpdateItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, type DynamoContext } from './dynamodb-context.js';
import { createExpression, type Expression, updateExpression } from './expression.js';
import { fromItem, type Item, jobKey } from './job-item.js';

/**
 * Writes as the run that claimed with `fence` (one conditional UpdateItem), or as anyone when there is no fence
 * (tracked mode: an unconditional upsert). `recorded` is the status this write leaves behind, to recognise the
 * same write already applied.
 */
export async function writeAsRun(
  ctx: DynamoContext,
  jobId: string,
  fence: number | undefined,
  change: RecordChange,
  recorded?: JobStatus,
): Promise<void> {
  await writeAs(ctx, jobId, fence, change, recorded, 'NONE');
}

/**
 * The heartbeat: pushes the lease out as the run that holds `fence`, and says whether `cancel` marked the job
 * since. The record comes back with the write (ALL_NEW: ReturnValues costs no read and no write unit); the mark
 * is an attribute this write does not touch, so UPDATED_NEW would not show it.
 */
export async function extendLease(
  ctx: DynamoContext,
  ref: RunRef & { readonly fence: number; readonly leaseExpiresAtMs: number },
): Promise<{ readonly cancelRequested: boolean }> {
  const change = extendLeaseChange(ref.leaseExpiresAtMs);
  const item = await writeAs(ctx, ref.jobId, ref.fence, change, undefined, 'ALL_NEW');
  return { cancelRequested: item?.cancelRequestedAtMs !== undefined };
}

async function writeAs(
  ctx: DynamoContext,
  jobId: string,
  fence: number | undefined,
  change: RecordChange,
  recorded: JobStatus | undefined,
  returnValues: 'NONE' | 'ALL_NEW',
): Promise<Item | undefined> {
  const x = createExpression();
  const update = updateExpression(x, jobId, change);
  const condition = fence === undefined ? undefined : ownerCondition(x, fence);
  const command = new UpdateItemCommand({
    TableName: ctx.tableName,
    Key: jobKey(jobId),
    UpdateExpression: update,
    ...(condition === undefined
      ? {}
      : { ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
    ...x.params(),
    ...(returnValues === 'NONE' ? {} : { ReturnValues: returnValues }),
  });
  try {
    return (await ctx.client.send(command)).Attributes;
  } catch (error) {
    const { item } = conditionFailedItem(error);
    const current = item === undefined ? undefined : fromItem(item);
    // Our own write landed already and the SDK retried it after losing the response: the record says what we
    // wanted it to say, and reporting a lost lease would make the engine believe another run owns the job.
    if (current !== undefined && current.fence === fence && current.status === recorded) return item;
    throw new LeaseLostError(jobId, fence!, { cause: error });
  }
}

function ownerCondition(x: Expression, fence: number): string {
  // Every claim moves the fence: an equal fence means no run has claimed the job since ours. A lapsed lease alone
  // does not lose the job; only a takeover does.
  const sameClaim = `${x.name('fence')} = ${x.number(fence)}`;
  // After its outcome or release, a run's late write (a second outcome, a stray heartbeat) must not land.
  const stillRunning = `${x.name('status')} = ${x.string('running')}`;
  return `${sameClaim} AND ${stillRunning}`;
}

/** Best effort: a missing, expired or finished record is left alone, and that is no error. */
export async function recordProgress(
  ctx: DynamoContext,
  jobId: string,
  progress: NonNullable<JobRecord['progress']>,
  nowMs: number,
): Promise<void> {
  const x = createExpression();
  const condition = [
    `attribute_exists(${x.name('pk')})`,
    `${x.name('expiresAtSec')} >= ${x.number(nowSeconds(nowMs))}`,
    // Progress writes are fire-and-forget and may land after the outcome; they must not overwrite the final state.
    `${x.name('status')} IN (${x.string('running')}, ${x.string('queued')}, ${x.string('retrying')})`,
  ].join(' AND ');
  const command = new UpdateItemCommand({
    TableName: ctx.tableName,
    Key: jobKey(jobId),
    UpdateExpression: updateExpression(x, jobId, progressChange(progress, nowMs)),
    ConditionExpression: condition,
    ...x.params(),
  });
  try {
    await ctx.client.send(command);
  } catch (error) {
    conditionFailedItem(error);
  }
}

export async function getJob(
  ctx: DynamoContext,
  jobId: string,
  nowMs: number,
): Promise<JobRecord | undefined> {
  // Strongly consistent: a lookup right after an outcome must see it.
  const out = await ctx.client.send(
    new GetItemCommand({ TableName: ctx.tableName, Key: jobKey(jobId), ConsistentRead: true }),
  );
  if (out.Item === undefined) return undefined;
  const record = fromItem(out.Item);
  return isExpired(record, nowMs) ? undefined : record;
}

import { randomUUID } from 'node:crypto';
import { decideClaim, nowSeconds } from '../claim-decision.js';
import { applyChange, claimChange } from '../record-change.js';
import type { ClaimInput, ClaimResult, JobRecord, StepMap } from '../types.js';
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, type DynamoContext } from './dynamodb-context.js';
import { createExpression, type Expression, updateExpression } from './expression.js';
import { claimTokenOf, fromItem, type Item, jobKey, toItem } from './job-item.js';

/**
 * Claims a job with one conditional UpdateItem on the paths every job takes (first delivery, due retry, redrive).
 * Only a crashed run or a record past its retention costs a second, equally conditional, write.
 */
export async function claimJob(ctx: DynamoContext, input: ClaimInput): Promise<ClaimResult> {
  const token = randomUUID();
  const x = createExpression();
  const condition = firstClaimCondition(x, input);
  try {
    const out = await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: jobKey(input.jobId),
        UpdateExpression: updateExpression(x, input.jobId, claimChange(input, input.attempt), token),
        ConditionExpression: condition,
        ...x.params(),
        // The whole item, for its durable steps (README "Durable steps"): returned values cost no capacity
        // unit, and they save a job with steps the read it would make for them.
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const steps = out.Attributes === undefined ? undefined : fromItem(out.Attributes).steps;
    return claimed(input, input.attempt, Number(out.Attributes?.fence?.N), steps);
  } catch (error) {
    return afterFirstClaimFailed(ctx, input, token, await conditionFailedOrOwn(ctx, input, token, error));
  }
}

/**
 * The item a failed condition saw; for any other error, whether the write landed anyway (DynamoDB applied it and
 * the answer was lost). Then the claim is ours: one consistent read finds our token, and the job runs now at its
 * attempt. Without that read the message would come back to find its own lease, wait for it to lapse, and be
 * charged an attempt for a run that never happened (invariant 3). Any other outcome rethrows the first error.
 */
async function conditionFailedOrOwn(
  ctx: DynamoContext,
  input: ClaimInput,
  token: string,
  error: unknown,
): Promise<Item | undefined> {
  if ((error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException')
    return conditionFailedItem(error).item;
  let item: Item | undefined;
  try {
    const out = await ctx.client.send(
      new GetItemCommand({ TableName: ctx.tableName, Key: jobKey(input.jobId), ConsistentRead: true }),
    );
    item = out.Item;
  } catch {
    throw error;
  }
  if (item !== undefined && claimTokenOf(item) === token) return item;
  throw error;
}

/** Mirrors the `absent` and `waiting` grounds of decideClaim, evaluated by DynamoDB against the stored item. */
function firstClaimCondition(x: ReturnType<typeof createExpression>, input: ClaimInput): string {
  const status = x.name('status');
  // The first delivery of a job: no record yet.
  const absent = `attribute_not_exists(${x.name('pk')})`;
  // A record past its retention counts as absent, but starting over must rewrite the whole item so nothing of
  // the old life leaks into the new one: that is the second write's job, so such records must not match here.
  const live = `${x.name('expiresAtSec')} >= ${x.number(nowSeconds(input.nowMs))}`;
  // A retry (or a released job) whose attempt has come; a message older than nextAttempt is a stale duplicate.
  // Not one `cancel` marked while an earlier attempt ran: decideClaim answers that one `cancelled`.
  const due = `${status} IN (${x.string('queued')}, ${x.string('retrying')}) AND ${x.name('nextAttempt')} <= ${x.number(input.attempt)} AND attribute_not_exists(${x.name('cancelRequestedAtMs')})`;
  // Only an operator's redrive brings a dead job back.
  const waiting = input.isRedrive ? `(${due}) OR ${status} = ${x.string('dead')}` : due;
  // The record must be this job's, with this payload (decideClaim's reusedBy): otherwise the check fails and the
  // returned record is judged as `reused`.
  const sameJob = [`${x.name('jobName')} = ${x.string(input.jobName)}`];
  if (input.payloadHash) {
    const hash = x.name('payloadHash');
    sameJob.push(`(attribute_not_exists(${hash}) OR ${hash} = ${x.string(input.payloadHash)})`);
  }
  return `${absent} OR (${live} AND ${sameJob.join(' AND ')} AND (${waiting}))`;
}

async function afterFirstClaimFailed(
  ctx: DynamoContext,
  input: ClaimInput,
  token: string,
  item: Item | undefined,
): Promise<ClaimResult> {
  // DynamoDB returns the item whenever the condition fails on one; without it there is nothing to judge.
  if (item === undefined) return busyUntil(input.nowMs);
  // Our own write, already applied: the SDK retried after the first response was lost.
  if (claimTokenOf(item) === token) return claimedFrom(fromItem(item));
  const old = fromItem(item);
  const decision = decideClaim(old, input);
  if (decision.kind !== 'claim') return decision;
  // Both second writes are conditioned on the old fence, so when they succeed the new fence is the next one.
  const kept = decision.ground === 'expired' ? undefined : old.steps; // a record past retention starts over
  const won = claimed(input, decision.attempt, old.fence + 1, kept);
  if (decision.ground === 'crashed')
    return secondClaim(input, token, won, takeover(ctx, input, token, old, decision.attempt));
  if (decision.ground === 'expired') return secondClaim(input, token, won, startOver(ctx, input, token, old));
  // A message waiting in place claims the attempt the record says, which the first condition could not know.
  if (decision.ground === 'waiting' && input.inPlace && decision.attempt > input.attempt)
    return secondClaim(input, token, won, inPlaceClaim(ctx, input, token, old, decision.attempt));
  return busyUntil(input.nowMs); // the record changed between DynamoDB's check and its answer: ask again
}

/** Takes over a crashed run's record, keeping its history; the fence moves on so the crashed run cannot write. */
function takeover(
  ctx: DynamoContext,
  input: ClaimInput,
  token: string,
  old: JobRecord,
  attempt: number,
): Promise<unknown> {
  const x = createExpression();
  const lease = x.name('leaseExpiresAtMs');
  const condition = [
    // Still the run we judged crashed: any claim since would have moved the fence.
    `${x.name('fence')} = ${x.number(old.fence)}`,
    // It has not recorded an outcome since we read it.
    `${x.name('status')} = ${x.string('running')}`,
    // Nor renewed its lease: a slow run that extended it after our read is alive and keeps the job.
    `(attribute_not_exists(${lease}) OR ${lease} <= ${x.number(input.nowMs)})`,
    // Nor been cancelled since: the run that would take over is the retry `cancel` stops (decideClaim).
    `attribute_not_exists(${x.name('cancelRequestedAtMs')})`,
  ];
  return claimOnlyIf(ctx, input, token, attempt, x, condition);
}

/**
 * Claims the next attempt of a job whose message waited in place (FIFO retries): the record must still be the
 * one judged, waiting for that attempt, so a concurrent claim or outcome since our read makes this write fail.
 */
function inPlaceClaim(
  ctx: DynamoContext,
  input: ClaimInput,
  token: string,
  old: JobRecord,
  attempt: number,
): Promise<unknown> {
  const x = createExpression();
  const condition = [
    `${x.name('fence')} = ${x.number(old.fence)}`,
    `${x.name('status')} = ${x.string(old.status)}`,
    `${x.name('nextAttempt')} = ${x.number(attempt)}`,
    `attribute_not_exists(${x.name('cancelRequestedAtMs')})`,
  ];
  return claimOnlyIf(ctx, input, token, attempt, x, condition);
}

/** The claim's write for `attempt`, made only while every condition holds of the record as it was judged. */
function claimOnlyIf(
  ctx: DynamoContext,
  input: ClaimInput,
  token: string,
  attempt: number,
  x: Expression,
  conditions: readonly string[],
): Promise<unknown> {
  const command = new UpdateItemCommand({
    TableName: ctx.tableName,
    Key: jobKey(input.jobId),
    UpdateExpression: updateExpression(x, input.jobId, claimChange(input, attempt), token),
    ConditionExpression: conditions.join(' AND '),
    ...x.params(),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  return ctx.client.send(command);
}

/** Replaces a record past its retention with a fresh one; only the fence carries on, so no fence is reissued. */
function startOver(ctx: DynamoContext, input: ClaimInput, token: string, old: JobRecord): Promise<unknown> {
  const x = createExpression();
  const record = applyChange({ fence: old.fence }, claimChange(input, input.attempt));
  // TTL may delete it meanwhile (then it is simply absent); otherwise nothing may have revived it since our read.
  const stillExpired = `${x.name('expiresAtSec')} < ${x.number(nowSeconds(input.nowMs))} AND ${x.name('fence')} = ${x.number(old.fence)}`;
  const command = new PutItemCommand({
    TableName: ctx.tableName,
    Item: toItem(record, token),
    ConditionExpression: `attribute_not_exists(${x.name('pk')}) OR (${stillExpired})`,
    ...x.params(),
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  });
  return ctx.client.send(command);
}

async function secondClaim(
  input: ClaimInput,
  token: string,
  won: ClaimResult,
  write: Promise<unknown>,
): Promise<ClaimResult> {
  try {
    await write;
    return won;
  } catch (error) {
    const { item } = conditionFailedItem(error);
    if (item !== undefined && claimTokenOf(item) === token) return claimedFrom(fromItem(item));
    // Another claimer won the race: answer with what it left behind, or have the message come back shortly.
    const decision = item === undefined ? undefined : decideClaim(fromItem(item), input);
    return decision !== undefined && decision.kind !== 'claim' ? decision : busyUntil(input.nowMs);
  }
}

function claimed(input: ClaimInput, attempt: number, fence: number, steps?: StepMap): ClaimResult {
  return {
    kind: 'claimed',
    attempt,
    fence,
    leaseExpiresAtMs: input.nowMs + input.leaseMs,
    ...(steps === undefined ? {} : { steps }),
  };
}

function claimedFrom(record: JobRecord): ClaimResult {
  return {
    kind: 'claimed',
    attempt: record.attempt,
    fence: record.fence,
    leaseExpiresAtMs: record.leaseExpiresAtMs!,
    ...(record.steps === undefined ? {} : { steps: record.steps }),
  };
}

function busyUntil(leaseExpiresAtMs: number): ClaimResult {
  return { kind: 'busy', leaseExpiresAtMs };
}

import { StoreUnavailableError } from '../../errors.js';
import { isExpired, nowSeconds } from '../claim-decision.js';
import { CANCELLABLE_STATUSES, canSkip, decideCancel } from '../enqueue-control-decision.js';
import {
  applyChange,
  cancelChange,
  cancelRunningChange,
  type RecordChange,
  skipChange,
  UNKNOWN_JOB_NAME,
} from '../record-change.js';
import type { CancelInput, CancelRequestResult, JobRecord, SkipInput } from '../types.js';
import { PutItemCommand, UpdateItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, type DynamoContext } from './dynamodb-context.js';
import { createExpression, type Expression, updateExpression } from './expression.js';
import { fromItem, jobKey, toItem } from './job-item.js';

// Jobs that end without running: a skip (expired, or a cancellation found at a start) and `cancel`. Each is one
// conditional UpdateItem on the paths that matter (no record yet, or a waiting one), whose failed condition
// returns the record (ALL_OLD) to decide from; a record past its retention costs a second write that replaces it
// (only its fence carries on, as a claim that starts over does), and a running job's mark costs a second write
// too, since one update cannot both cancel a waiting record and only mark a running one.

/** Writes one request may make; more means the record kept changing under each of them. */
const MAX_ROUNDS = 3;

/** What a write saw: it landed (with the record it left), or its condition failed on this record (or none). */
type Written = { readonly landed: JobRecord } | { readonly seen: JobRecord | undefined };

/**
 * Records a job that ends without running (skipChange) by canSkip's rule: creates the record, moves a queued or
 * retrying one, or names a cancellation `cancel` wrote before any run knew the job; a record that started or
 * finished is left alone (`started`).
 */
export async function recordSkipped(ctx: DynamoContext, input: SkipInput): Promise<'recorded' | 'started'> {
  const change = skipChange(input);
  let seen: JobRecord | undefined | 'unread' = 'unread';
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let written: Written;
    if (seen !== 'unread' && seen !== undefined && isExpired(seen, input.nowMs))
      written = await replaceExpired(ctx, seen.fence, change, input.nowMs);
    else if (seen === 'unread' || canSkip(seen, input.nowMs))
      written = await updateIf(ctx, input.jobId, change, (x) => {
        const unnamed = `${x.name('status')} = ${x.string('cancelled')} AND ${x.name('jobName')} = ${x.string(UNKNOWN_JOB_NAME)}`;
        return absentOrLive(x, input.nowMs, `${waiting(x)} OR (${unnamed})`);
      });
    else return 'started';
    if ('landed' in written) return 'recorded';
    seen = written.seen;
  }
  throw new StoreUnavailableError(
    `recordSkipped (the record of ${input.jobId} kept changing under the write)`,
  );
}

/**
 * `cancel` by decideCancel's rule: a job with no record yet (on its queue, not claimed) or a waiting one becomes
 * `cancelled`, which its claim honours; a running one is marked (cancelRunningChange), conditioned on still being
 * the run seen; a finished one is left as it was. The first write assumes the job has not started, the common
 * case of a cancel, so that costs one write; a running job costs two.
 */
export async function requestCancel(ctx: DynamoContext, input: CancelInput): Promise<CancelRequestResult> {
  const cancel = cancelChange(input.jobId, input.nowMs, input.expiresAtSec);
  let seen: JobRecord | undefined | 'unread' = 'unread';
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const kind = seen === 'unread' ? 'cancelled' : decideCancel(seen, input.nowMs);
    if (kind === 'finished') return { kind, record: seen as JobRecord };
    let written: Written;
    if (kind === 'running') {
      const { fence } = seen as JobRecord;
      // Never absent: a mark must not create a record that knows nothing but the mark.
      written = await updateIf(ctx, input.jobId, cancelRunningChange(input.nowMs), (x) =>
        [
          live(x, input.nowMs),
          `${x.name('fence')} = ${x.number(fence)}`,
          `${x.name('status')} = ${x.string('running')}`,
        ].join(' AND '),
      );
    } else if (seen !== 'unread' && seen !== undefined && isExpired(seen, input.nowMs))
      written = await replaceExpired(ctx, seen.fence, cancel, input.nowMs);
    else written = await updateIf(ctx, input.jobId, cancel, (x) => absentOrLive(x, input.nowMs, waiting(x)));
    if ('landed' in written) return { kind, record: written.landed };
    seen = written.seen;
  }
  throw new StoreUnavailableError(
    `requestCancel (the record of ${input.jobId} kept changing under the write)`,
  );
}

/** Statuses that have not started (CANCELLABLE_STATUSES), as a condition. */
function waiting(x: Expression): string {
  return `${x.name('status')} IN (${[...CANCELLABLE_STATUSES].map((s) => x.string(s)).join(', ')})`;
}

/** Not past its retention (claim-decision.ts isExpired): a record past it is replaced, never updated. */
function live(x: Expression, nowMs: number): string {
  return `${x.name('expiresAtSec')} >= ${x.number(nowSeconds(nowMs))}`;
}

/** No record yet (the write creates it from the change's setIfAbsent), or a live one that `matches`. */
function absentOrLive(x: Expression, nowMs: number, matches: string): string {
  return `attribute_not_exists(${x.name('pk')}) OR (${live(x, nowMs)} AND (${matches}))`;
}

/**
 * Applies `change` where `condition` holds; the record it leaves comes back (ALL_NEW, which costs no write
 * unit), and a failed condition returns the record it failed on (ALL_OLD).
 */
async function updateIf(
  ctx: DynamoContext,
  jobId: string,
  change: RecordChange,
  condition: (x: Expression) => string,
): Promise<Written> {
  const x = createExpression();
  const update = updateExpression(x, jobId, change);
  try {
    const out = await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: jobKey(jobId),
        UpdateExpression: update,
        ConditionExpression: condition(x),
        ...x.params(),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { landed: fromItem(out.Attributes ?? {}) };
  } catch (error) {
    const { item } = conditionFailedItem(error);
    return { seen: item === undefined ? undefined : fromItem(item) };
  }
}

/** A fresh record in place of one past its retention, unless something revived or replaced it since. */
async function replaceExpired(
  ctx: DynamoContext,
  fence: number,
  change: RecordChange,
  nowMs: number,
): Promise<Written> {
  const x = createExpression();
  const record = applyChange({ fence }, change);
  const stillExpired = `${x.name('expiresAtSec')} < ${x.number(nowSeconds(nowMs))} AND ${x.name('fence')} = ${x.number(fence)}`;
  try {
    await ctx.client.send(
      new PutItemCommand({
        TableName: ctx.tableName,
        Item: toItem(record),
        ConditionExpression: `attribute_not_exists(${x.name('pk')}) OR (${stillExpired})`,
        ...x.params(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { landed: record };
  } catch (error) {
    const { item } = conditionFailedItem(error);
    return { seen: item === undefined ? undefined : fromItem(item) };
  }
}

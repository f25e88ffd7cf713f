import { StoreUnavailableError } from '../../errors.js';
import { nowSeconds } from '../claim-decision.js';
import { debouncePayloadJson } from '../debounce-payload.js';
import {
  DEBOUNCE_GRACE_MS,
  type DebounceBurst,
  decideTakeDebounce,
  retakenRun,
  type TakenBurst,
} from '../enqueue-control-decision.js';
import type { DebounceInput, DebounceWindow, TakeDebounceInput, TakeDebounceResult } from '../types.js';
import { PutItemCommand, UpdateItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, type DynamoContext } from './dynamodb-context.js';
import { burstOf, ENQUEUE_ATTRIBUTES, ENQUEUE_ITEM, takenOf } from './enqueue-item.js';
import { createExpression, type Expression } from './expression.js';
import type { Item } from './job-item.js';

// A debounced key's burst is one item (enqueue-item.ts): every enqueue writes its token and payload over the
// last, and the take that runs it closes it in place. Each write is billed by the larger of the item before and
// after, of which the payload is most: 1 write unit per started KB, so a push of a small payload costs 1 unit, one
// of 1 KB 2 and one of 100 KB about 101, and the take (a failed one too) as much again. A job that is passed an id
// to look up, rather than the data, keeps both at 1.

const A = ENQUEUE_ATTRIBUTES;

/** Writes one push or take may make; more means the item kept changing under each of them. */
const MAX_ROUNDS = 3;

/**
 * Records an enqueue of a debounced key with one UpdateItem: the token, payload and time become the burst's
 * latest, the count goes up by one, and a burst that is not open yet opens with this enqueue's job id, time and
 * deadline (if_not_exists), so racing pushes agree on one burst. The new item comes back (ALL_NEW) to say which.
 * A burst past its TTL counts as closed, as a job record does (TTL deletes up to 48 h late): then one more write
 * puts a fresh burst in its place.
 */
export async function pushDebounce(ctx: DynamoContext, input: DebounceInput): Promise<DebounceWindow> {
  const json = debouncePayloadJson(input.key, input.payload);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const pushed = await joinOrOpen(ctx, input, json);
    if ('window' in pushed) return pushed.window;
    if (await replaceExpired(ctx, input, json, pushed.expired)) return windowOf(newBurst(input, json));
  }
  throw new StoreUnavailableError(`pushDebounce (the burst of ${input.key} kept changing under the write)`);
}

async function joinOrOpen(
  ctx: DynamoContext,
  input: DebounceInput,
  json: string | undefined,
): Promise<{ readonly window: DebounceWindow } | { readonly expired: DebounceBurst | undefined }> {
  const x = createExpression();
  const opened = (name: string, value: string) =>
    `${x.name(name)} = if_not_exists(${x.name(name)}, ${value})`;
  const sets = [
    `${x.name(A.token)} = ${x.string(input.token)}`,
    `${x.name(A.lastAtMs)} = ${x.number(input.nowMs)}`,
    // Every push moves the TTL on: the latest enqueue's message must still find its burst.
    `${x.name(A.expiresAtSec)} = ${x.number(input.expiresAtSec)}`,
    opened(A.jobId, x.string(input.jobId)),
    opened(A.firstAtMs, x.number(input.nowMs)),
    ...(input.deadlineMs === undefined ? [] : [opened(A.deadlineMs, x.number(input.deadlineMs))]),
    ...(json === undefined ? [] : [`${x.name(A.payload)} = ${x.string(json)}`]),
  ];
  // A burst that opens over the run of the last one (TakenBurst) clears what that run left.
  const removes = [A.takenBy, A.takenJobId, A.takenCount, ...(json === undefined ? [A.payload] : [])];
  const update = [
    `SET ${sets.join(', ')}`,
    `ADD ${x.name(A.count)} ${x.number(1)}`,
    `REMOVE ${removes.map((name) => x.name(name)).join(', ')}`,
  ].join(' ');
  try {
    const out = await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: ENQUEUE_ITEM.debounce(input.key),
        UpdateExpression: update,
        ConditionExpression: `attribute_not_exists(${x.name(A.token)}) OR ${live(x, input.nowMs)}`,
        ...x.params(),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const burst = burstOf(out.Attributes);
    if (burst === undefined)
      throw new StoreUnavailableError(`pushDebounce (no burst came back for ${input.key})`);
    return { window: windowOf(burst) };
  } catch (error) {
    return { expired: burstOf(conditionFailedItem(error).item) };
  }
}

/** A fresh burst over one past its TTL, unless another push replaced or TTL deleted it first (then: round again). */
async function replaceExpired(
  ctx: DynamoContext,
  input: DebounceInput,
  json: string | undefined,
  expired: DebounceBurst | undefined,
): Promise<boolean> {
  if (expired === undefined) return false;
  const x = createExpression();
  const burst = newBurst(input, json);
  const item: Item = {
    ...ENQUEUE_ITEM.debounce(input.key),
    [A.token]: { S: burst.token },
    [A.jobId]: { S: burst.jobId },
    [A.firstAtMs]: { N: String(burst.firstAtMs) },
    [A.lastAtMs]: { N: String(burst.lastAtMs) },
    [A.count]: { N: '1' },
    [A.expiresAtSec]: { N: String(input.expiresAtSec) },
    ...(burst.deadlineMs === undefined ? {} : { [A.deadlineMs]: { N: String(burst.deadlineMs) } }),
    ...(json === undefined ? {} : { [A.payload]: { S: json } }),
  };
  const stillExpired = `NOT (${live(x, input.nowMs)}) AND ${x.name(A.token)} = ${x.string(expired.token)}`;
  try {
    await ctx.client.send(
      new PutItemCommand({
        TableName: ctx.tableName,
        Item: item,
        ConditionExpression: `attribute_not_exists(${x.name(A.token)}) OR (${stillExpired})`,
        ...x.params(),
      }),
    );
    return true;
  } catch (error) {
    conditionFailedItem(error);
    return false;
  }
}

/**
 * Asks whether the message carrying `token` runs its burst, with one conditional UpdateItem whose condition is
 * decideTakeDebounce's rule: the burst is this message's (same job id, not past its TTL) and its token is the
 * latest, or the burst is overdue (its due time and the grace have passed). The write closes the burst into the
 * run it starts (TakenBurst: the burst's identity goes, so the next enqueue opens another) and returns the burst
 * as it was (ALL_OLD), so the run gets the latest payload. A push that lands first changes the token or moves the
 * due time, and the take then fails, so no push is ever lost to a take. A failed condition returns the item: the
 * run this message took before (then it runs again), or the burst, from which decideTakeDebounce says superseded
 * or wait.
 */
export async function takeDebounce(
  ctx: DynamoContext,
  input: TakeDebounceInput,
): Promise<TakeDebounceResult> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const taken = await closeIfDue(ctx, input);
    if ('run' in taken) return taken.run;
    const again = retakenRun(isLive(taken.taken, input.nowMs) ? taken.taken : undefined, input);
    if (again) return again;
    const decision = decideTakeDebounce(isLive(taken.seen, input.nowMs) ? taken.seen : undefined, input);
    // The condition is the rule, so the burst it failed on does not run; `run` here means it changed between the
    // check and its answer, and the take is worth another try.
    if (decision.kind !== 'run') return decision;
  }
  throw new StoreUnavailableError(`takeDebounce (the burst of ${input.key} kept changing under the take)`);
}

async function closeIfDue(
  ctx: DynamoContext,
  input: TakeDebounceInput,
): Promise<
  | { readonly run: TakeDebounceResult }
  | {
      readonly seen: (DebounceBurst & { readonly expiresAtSec: number }) | undefined;
      readonly taken: (TakenBurst & { readonly expiresAtSec: number }) | undefined;
    }
> {
  const x = createExpression();
  // Overdue: nowMs >= min(deadlineMs, lastAtMs + waitMs) + grace, one comparison per term. A burst without a
  // deadline fails the second: a comparison with a missing attribute is false.
  const overdue = [
    `${x.name(A.lastAtMs)} <= ${x.number(input.nowMs - input.waitMs - DEBOUNCE_GRACE_MS)}`,
    `${x.name(A.deadlineMs)} <= ${x.number(input.nowMs - DEBOUNCE_GRACE_MS)}`,
  ].join(' OR ');
  const mine = `${x.name(A.jobId)} = ${x.string(input.jobId)} AND ${live(x, input.nowMs)}`;
  // Operands read the item as it was, so the count moves to takenCount while its own attribute goes. The payload,
  // lastAtMs and TTL stay: the next enqueue sets them anyway.
  const close = [
    `SET ${x.name(A.takenBy)} = ${x.string(input.token)}, ${x.name(A.takenJobId)} = ${x.string(input.jobId)}, ${x.name(A.takenCount)} = ${x.name(A.count)}`,
    `REMOVE ${[A.token, A.jobId, A.firstAtMs, A.deadlineMs, A.count].map((name) => x.name(name)).join(', ')}`,
  ].join(' ');
  try {
    const out = await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: ENQUEUE_ITEM.debounce(input.key),
        UpdateExpression: close,
        ConditionExpression: `${mine} AND (${x.name(A.token)} = ${x.string(input.token)} OR ${overdue})`,
        ...x.params(),
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const burst = burstOf(out.Attributes);
    if (burst === undefined)
      throw new StoreUnavailableError(`takeDebounce (no burst came back for ${input.key})`);
    return { run: { kind: 'run', jobId: burst.jobId, payload: burst.payload, count: burst.count } };
  } catch (error) {
    const { item } = conditionFailedItem(error);
    return { seen: burstOf(item), taken: takenOf(item) };
  }
}

/** Not past its TTL: the same rule as a job record's (claim-decision.ts isExpired). */
function live(x: Expression, nowMs: number): string {
  return `${x.name(A.expiresAtSec)} >= ${x.number(nowSeconds(nowMs))}`;
}

function isLive(burst: { readonly expiresAtSec: number } | undefined, nowMs: number): boolean {
  return burst !== undefined && burst.expiresAtSec >= nowSeconds(nowMs);
}

function newBurst(input: DebounceInput, json: string | undefined): DebounceBurst {
  return {
    token: input.token,
    jobId: input.jobId,
    payload: json === undefined ? undefined : JSON.parse(json),
    firstAtMs: input.nowMs,
    lastAtMs: input.nowMs,
    ...(input.deadlineMs === undefined ? {} : { deadlineMs: input.deadlineMs }),
    count: 1,
  };
}

function windowOf(burst: DebounceBurst): DebounceWindow {
  return {
    jobId: burst.jobId,
    firstAtMs: burst.firstAtMs,
    ...(burst.deadlineMs === undefined ? {} : { deadlineMs: burst.deadlineMs }),
    count: burst.count,
  };
}

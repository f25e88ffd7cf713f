import { StoreUnavailableError } from '../../errors.js';
import { takeStart, throttleSpacing } from '../flow-decision.js';
import type { ThrottleInput, ThrottleResult } from '../types.js';
import { UpdateItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, type DynamoContext } from './dynamodb-context.js';
import { createExpression } from './expression.js';
import { FLOW_ATTRIBUTES, FLOW_ITEM, throttleExpiresAtSec } from './flow-item.js';

/**
 * The tat this store last saw per key. A busy key (the tat ahead of now) is the common case under load, and
 * trying the idle write first there costs a failed write per start; starting from the last tat seen picks the
 * right write first, so a start within the burst costs one write too. Only a hint: a wrong guess costs the other
 * write, as before. Bounded, so a process with many keys does not grow it without end.
 */
export class LastTats {
  private readonly tats = new Map<string, number>();

  get(key: string): number | undefined {
    return this.tats.get(key);
  }

  set(key: string, tatMs: number | undefined): void {
    if (tatMs === undefined) return;
    if (this.tats.size >= 10_000 && !this.tats.has(key)) this.tats.clear();
    this.tats.set(key, tatMs);
  }
}

/** Writes one take may make; more means clocks disagree by more than an interval, again and again. */
const MAX_ROUNDS = 4;

/**
 * Takes the next start of a throttle by takeStart (GCRA with reservations), with the theoretical arrival time
 * `tat` kept in one item per key. One write when the key is idle (start now), two when it is busy: the first
 * fails and returns the tat (ALL_OLD), the second moves it on by one interval atomically and returns the new tat,
 * from which the start follows as takeStart derives it. Racing takers each move the tat on by their own interval,
 * so none loses a start and none is counted twice.
 */
export async function takeThrottle(
  ctx: DynamoContext,
  input: ThrottleInput,
  lastTats: LastTats = new LastTats(),
): Promise<ThrottleResult> {
  let seenTatMs = lastTats.get(input.key);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (seenTatMs === undefined || seenTatMs <= input.nowMs) {
      const taken = await startNow(ctx, input);
      if (taken === 'now') {
        lastTats.set(input.key, input.nowMs + throttleSpacing(input).intervalMs);
        return { kind: 'now' };
      }
      seenTatMs = taken.tatMs;
    } else {
      const taken = await reserveNext(ctx, input, seenTatMs);
      if ('result' in taken) {
        lastTats.set(input.key, taken.tatMs);
        return taken.result;
      }
      seenTatMs = taken.tatMs;
    }
  }
  throw new StoreUnavailableError(
    `takeThrottle (the tat of ${input.key} kept moving under ${MAX_ROUNDS} writes)`,
  );
}

/** An idle key (no tat, or a tat already past): the start is now, and the tat is one interval on. */
async function startNow(
  ctx: DynamoContext,
  input: ThrottleInput,
): Promise<'now' | { readonly tatMs: number | undefined }> {
  const { intervalMs } = throttleSpacing(input);
  const x = createExpression();
  const tat = x.name(FLOW_ATTRIBUTES.tat);
  const next = input.nowMs + intervalMs;
  try {
    await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.throttle(input.key),
        UpdateExpression: `SET ${tat} = ${x.number(next)}, ${expiry(x, next, input.periodMs)}`,
        ConditionExpression: `attribute_not_exists(${tat}) OR ${tat} <= ${x.number(input.nowMs)}`,
        ...x.params(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'now';
  } catch (error) {
    return { tatMs: tatOf(conditionFailedItem(error).item) };
  }
}

/**
 * A busy key: `tat = tat + interval`, atomically, while the tat is ahead of now. The new tat says where this take
 * stands in line: its start is takeStart's for the tat before it (new tat - interval).
 */
async function reserveNext(
  ctx: DynamoContext,
  input: ThrottleInput,
  seenTatMs: number,
): Promise<
  { readonly result: ThrottleResult; readonly tatMs: number } | { readonly tatMs: number | undefined }
> {
  const { intervalMs } = throttleSpacing(input);
  const x = createExpression();
  const tat = x.name(FLOW_ATTRIBUTES.tat);
  // The TTL from the tat seen; racing takers may move the tat further before this lands, which keepExpiry fixes.
  const expiresAtSec = throttleExpiresAtSec(seenTatMs + intervalMs, input.periodMs);
  let attributes: Record<string, { N?: string }> | undefined;
  try {
    const out = await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.throttle(input.key),
        UpdateExpression: `SET ${tat} = ${tat} + ${x.number(intervalMs)}, ${x.name(FLOW_ATTRIBUTES.expiresAtSec)} = ${x.number(expiresAtSec)}`,
        ConditionExpression: `${tat} > ${x.number(input.nowMs)}`,
        ...x.params(),
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    attributes = out.Attributes;
  } catch (error) {
    return { tatMs: tatOf(conditionFailedItem(error).item) };
  }
  const newTatMs = Number(attributes?.[FLOW_ATTRIBUTES.tat]?.N);
  await keepExpiry(ctx, input, newTatMs, expiresAtSec);
  return { result: takeStart(newTatMs - intervalMs, input).result, tatMs: newTatMs };
}

/**
 * The TTL must never fall before the tat (deleting the item early would forget reserved starts). When racing
 * takes moved the tat past what this take wrote, one more write raises it; a higher TTL already there is kept.
 */
async function keepExpiry(
  ctx: DynamoContext,
  input: ThrottleInput,
  newTatMs: number,
  written: number,
): Promise<void> {
  const needed = throttleExpiresAtSec(newTatMs, input.periodMs);
  if (needed <= written) return;
  const x = createExpression();
  const expires = x.name(FLOW_ATTRIBUTES.expiresAtSec);
  try {
    await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.throttle(input.key),
        UpdateExpression: `SET ${expires} = ${x.number(needed)}`,
        ConditionExpression: `${expires} < ${x.number(needed)}`,
        ...x.params(),
      }),
    );
  } catch (error) {
    conditionFailedItem(error);
  }
}

function expiry(x: ReturnType<typeof createExpression>, tatMs: number, periodMs: number): string {
  return `${x.name(FLOW_ATTRIBUTES.expiresAtSec)} = ${x.number(throttleExpiresAtSec(tatMs, periodMs))}`;
}

function tatOf(item: Record<string, { N?: string }> | undefined): number | undefined {
  const value = item?.[FLOW_ATTRIBUTES.tat]?.N;
  return value === undefined ? undefined : Number(value);
}

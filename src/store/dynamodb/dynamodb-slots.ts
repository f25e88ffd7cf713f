import { decideSlot, liveHolders, type SlotHolders } from '../flow-decision.js';
import type { SlotInput, SlotRef, SlotResult } from '../types.js';
import { UpdateItemCommand } from './dynamodb-api.js';
import { conditionFailedItem, conditionHolds, type DynamoContext } from './dynamodb-context.js';
import { createExpression } from './expression.js';
import { FLOW_ATTRIBUTES, FLOW_ITEM, slotExpiresAtSec } from './flow-item.js';
import type { Item } from './job-item.js';

/** Conditional writes one acquire may make before it reports the key full (each lost race means a slot went). */
const MAX_ROUNDS = 4;

/**
 * At most this many lapsed holders are removed by one write: a crashed holder is removed only when its slot is
 * needed, so the list is at most the limit, and a bound keeps the expression within DynamoDB's 4 KB.
 */
const MAX_REMOVED = 25;

const ACQUIRED: SlotResult = { kind: 'acquired' };

/**
 * Takes a slot of the concurrency limit `input.key` by the rules of decideSlot. While the key has room, one
 * conditional UpdateItem adds the holder. A failed condition returns the holders (ALL_OLD), and the decision is
 * taken on them: full (no write more), room once lapsed holders go (one write that removes them and adds this
 * one, conditioned on each still holding the lease end seen), or no item yet (one write that creates the map).
 * A lost race goes round again, at most MAX_ROUNDS times.
 */
export async function takeSlot(ctx: DynamoContext, input: SlotInput): Promise<SlotResult> {
  let holders: SlotHolders | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const seen = await addHolder(ctx, input);
    if (seen === 'added') return ACQUIRED;
    holders = seen.holders;
    if (holders === undefined) {
      if (await createHolders(ctx, input)) return ACQUIRED;
      continue;
    }
    const decision = decideSlot(holders, input);
    if (decision.kind === 'full') return decision;
    if (await replaceLapsed(ctx, input, holders)) return ACQUIRED;
  }
  return fullOf(holders ?? {}, input);
}

/** Gives the holder's slot back. A missing item or holder (lapsed and removed, or TTL-deleted) is no error. */
export async function giveSlotBack(ctx: DynamoContext, ref: SlotRef): Promise<void> {
  const x = createExpression();
  const holders = x.name(FLOW_ATTRIBUTES.holders);
  try {
    await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.slot(ref.key),
        UpdateExpression: `REMOVE ${holders}.${x.name(ref.holder)}`,
        // Without the map, REMOVE of a path in it is invalid, and on a missing item it would create a bare key.
        ConditionExpression: `attribute_exists(${holders})`,
        ...x.params(),
      }),
    );
  } catch (error) {
    conditionFailedItem(error);
  }
}

/**
 * The fast path: adds the holder while the map has fewer than `limit` entries, lapsed ones included (so a pass
 * never over-admits), or when the holder is already live in it (a retried request that landed). On a failed
 * condition, the holders the condition saw; `holders` undefined when the item or its map does not exist, since
 * a path in a missing map cannot be set.
 */
async function addHolder(
  ctx: DynamoContext,
  input: SlotInput,
): Promise<'added' | { readonly holders: SlotHolders | undefined }> {
  const x = createExpression();
  const holders = x.name(FLOW_ATTRIBUTES.holders);
  const me = `${holders}.${x.name(input.holder)}`;
  const hasRoom = `size(${holders}) < ${x.number(input.limit)}`;
  const alreadyMine = `${me} > ${x.number(input.nowMs)}`;
  try {
    await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.slot(input.key),
        UpdateExpression: `SET ${me} = ${x.number(input.leaseExpiresAtMs)}, ${ttl(x, input)}`,
        // attribute_exists first: size() of a missing attribute is false on DynamoDB, and moto fails on it.
        ConditionExpression: `attribute_exists(${holders}) AND (${hasRoom} OR ${alreadyMine})`,
        ...x.params(),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'added';
  } catch (error) {
    return { holders: holdersOf(conditionFailedItem(error).item) };
  }
}

/** The first holder of a key (or of a key whose item TTL deleted) creates the map; false when another did first. */
async function createHolders(ctx: DynamoContext, input: SlotInput): Promise<boolean> {
  const x = createExpression();
  const holders = x.name(FLOW_ATTRIBUTES.holders);
  return conditionHolds(
    ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.slot(input.key),
        UpdateExpression: `SET ${holders} = ${x.value({ M: { [input.holder]: { N: String(input.leaseExpiresAtMs) } } })}, ${ttl(x, input)}`,
        ConditionExpression: `attribute_not_exists(${holders})`,
        ...x.params(),
      }),
    ),
  );
}

/**
 * Removes lapsed holders (crashed runs) and adds this one in one write, conditioned on each removed holder still
 * having the lease end seen (a holder that renewed or was released since is not ours to remove) and on the map
 * not having grown past the room the removal makes.
 */
async function replaceLapsed(ctx: DynamoContext, input: SlotInput, seen: SlotHolders): Promise<boolean> {
  const lapsed = Object.entries(seen)
    .filter(([holder, leaseEnd]) => leaseEnd <= input.nowMs && holder !== input.holder)
    .slice(0, MAX_REMOVED);
  const x = createExpression();
  const holders = x.name(FLOW_ATTRIBUTES.holders);
  const path = (holder: string) => `${holders}.${x.name(holder)}`;
  // After the write the map holds size - removed + 1 entries (+ 0 when this holder's own lapsed entry is
  // replaced): at most `limit`.
  const replacesOwn = seen[input.holder] !== undefined;
  const bound = input.limit + lapsed.length + (replacesOwn ? 1 : 0);
  const conditions = [
    ...lapsed.map(([holder, leaseEnd]) => `${path(holder)} = ${x.number(leaseEnd)}`),
    `size(${holders}) < ${x.number(bound)}`,
  ];
  const removes = lapsed.map(([holder]) => path(holder));
  const update = `SET ${path(input.holder)} = ${x.number(input.leaseExpiresAtMs)}, ${ttl(x, input, seen)}`;
  return conditionHolds(
    ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.slot(input.key),
        UpdateExpression: removes.length > 0 ? `${update} REMOVE ${removes.join(', ')}` : update,
        ConditionExpression: `attribute_exists(${holders}) AND ${conditions.join(' AND ')}`,
        ...x.params(),
      }),
    ),
  );
}

/** The item's TTL from the latest lease end this write knows of (see slotExpiresAtSec). */
function ttl(x: ReturnType<typeof createExpression>, input: SlotInput, others: SlotHolders = {}): string {
  const latest = Math.max(input.leaseExpiresAtMs, ...liveHolders(others, input.nowMs).map(([, end]) => end));
  return `${x.name(FLOW_ATTRIBUTES.expiresAtSec)} = ${x.number(slotExpiresAtSec(latest))}`;
}

/** After races lost MAX_ROUNDS times: full, as the last holders seen show it. */
function fullOf(holders: SlotHolders, input: SlotInput): SlotResult {
  const live = liveHolders(holders, input.nowMs);
  const earliestLeaseEndMs = live.length > 0 ? Math.min(...live.map(([, end]) => end)) : input.nowMs;
  return { kind: 'full', holders: live.length, earliestLeaseEndMs };
}

function holdersOf(item: Item | undefined): SlotHolders | undefined {
  const map = item?.[FLOW_ATTRIBUTES.holders]?.M;
  if (map === undefined) return undefined;
  return Object.fromEntries(Object.entries(map).map(([holder, value]) => [holder, Number(value.N)]));
}

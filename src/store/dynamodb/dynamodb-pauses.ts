import { StoreUnavailableError } from '../../errors.js';
import type { PauseKind, PauseRecord, PauseTarget } from '../types.js';
import { GetItemCommand, UpdateItemCommand } from './dynamodb-api.js';
import { conditionHolds, type DynamoContext } from './dynamodb-context.js';
import { createExpression } from './expression.js';
import { FLOW_ATTRIBUTES, FLOW_ITEM } from './flow-item.js';
import type { Item } from './job-item.js';

/** Every pause, from the one `pauses` item (one strongly consistent GetItem: a resume is seen at once). */
export async function listPauses(ctx: DynamoContext): Promise<readonly PauseRecord[]> {
  const out = await ctx.client.send(
    new GetItemCommand({ TableName: ctx.tableName, Key: FLOW_ITEM.pauses, ConsistentRead: true }),
  );
  const map = out.Item?.[FLOW_ATTRIBUTES.pauses]?.M ?? {};
  return Object.values(map).flatMap((entry) => {
    const pause = pauseOf(entry.M);
    return pause === undefined ? [] : [pause];
  });
}

/**
 * Pauses or resumes one queue or job type: one UpdateItem of its entry in the `pauses` map. Pausing what is
 * paused keeps the first pause (its sinceMs and reason); resuming what is not paused changes nothing. The item
 * has no TTL: a pause holds until it is resumed.
 */
export async function setPause(
  ctx: DynamoContext,
  target: PauseTarget,
  change: { readonly paused: boolean; readonly reason?: string },
  nowMs: number,
): Promise<void> {
  if (!change.paused) return resume(ctx, target);
  const record: PauseRecord = {
    ...target,
    sinceMs: nowMs,
    ...(change.reason ? { reason: change.reason } : {}),
  };
  // The first pause ever creates the map; a path in a missing map cannot be set. A create that loses its race
  // to another goes back to the entry write.
  for (let round = 0; round < 3; round++) {
    if (await pauseEntry(ctx, record)) return;
    if (await createPauses(ctx, record)) return;
  }
  throw new StoreUnavailableError(
    `setPause (the pauses item kept changing under the write of ${entryId(target)})`,
  );
}

async function pauseEntry(ctx: DynamoContext, record: PauseRecord): Promise<boolean> {
  const x = createExpression();
  const pauses = x.name(FLOW_ATTRIBUTES.pauses);
  const entry = `${pauses}.${x.name(entryId(record))}`;
  return conditionHolds(
    ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.pauses,
        UpdateExpression: `SET ${entry} = if_not_exists(${entry}, ${x.value(pauseItem(record))})`,
        ConditionExpression: `attribute_exists(${pauses})`,
        ...x.params(),
      }),
    ),
  );
}

async function createPauses(ctx: DynamoContext, record: PauseRecord): Promise<boolean> {
  const x = createExpression();
  const pauses = x.name(FLOW_ATTRIBUTES.pauses);
  return conditionHolds(
    ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.pauses,
        UpdateExpression: `SET ${pauses} = ${x.value({ M: { [entryId(record)]: pauseItem(record) } })}`,
        ConditionExpression: `attribute_not_exists(${pauses})`,
        ...x.params(),
      }),
    ),
  );
}

async function resume(ctx: DynamoContext, target: PauseTarget): Promise<void> {
  const x = createExpression();
  const pauses = x.name(FLOW_ATTRIBUTES.pauses);
  // Without the map nothing is paused; the condition also keeps REMOVE from creating a bare item.
  await conditionHolds(
    ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: FLOW_ITEM.pauses,
        UpdateExpression: `REMOVE ${pauses}.${x.name(entryId(target))}`,
        ConditionExpression: `attribute_exists(${pauses})`,
        ...x.params(),
      }),
    ),
  );
}

/** `queue:emails`, `job:sync-account`: a queue and a job type of one name are two pauses. */
function entryId(target: PauseTarget): string {
  return `${target.kind}:${target.name}`;
}

function pauseItem(record: PauseRecord): { M: Item } {
  return {
    M: {
      kind: { S: record.kind },
      name: { S: record.name },
      sinceMs: { N: String(record.sinceMs) },
      ...(record.reason === undefined ? {} : { reason: { S: record.reason } }),
    },
  };
}

const KINDS: ReadonlySet<string> = new Set<PauseKind>(['queue', 'job']);

/** A pause as stored; an entry edited by hand into something else is left out rather than misread. */
function pauseOf(map: Item | undefined): PauseRecord | undefined {
  const kind = map?.kind?.S;
  const name = map?.name?.S;
  const sinceMs = Number(map?.sinceMs?.N);
  if (kind === undefined || !KINDS.has(kind) || name === undefined || !Number.isFinite(sinceMs))
    return undefined;
  const reason = map?.reason?.S;
  return { kind: kind as PauseKind, name, sinceMs, ...(reason === undefined ? {} : { reason }) };
}

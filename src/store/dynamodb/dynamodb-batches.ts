import { batchListOrder, isAfter, isBatchExpired, newBatch } from '../batch-decision.js';
import type {
  BatchListQuery,
  BatchRecord,
  CountBatchChildInput,
  CountBatchChildResult,
  CreateBatchInput,
  ResizeBatchInput,
  ResizeBatchResult,
} from '../batch-types.js';
import type { JobStore } from '../types.js';
import {
  BATCH_ATTRIBUTES,
  BATCH_ITEM,
  BATCH_KEY_PREFIX,
  batchOf,
  countAttribute,
  toBatchItem,
} from './batch-item.js';
import {
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from './dynamodb-api.js';
import { conditionFailedItem, conditionHolds, type DynamoContext } from './dynamodb-context.js';
import { createExpression } from './expression.js';
import type { Item } from './job-item.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

const PK = JOB_TABLE_SCHEMA.partitionKey;

type BatchMethods = Pick<
  JobStore,
  'createBatch' | 'resizeBatch' | 'countBatchChild' | 'markBatchCallbacksSent' | 'getBatch' | 'listBatches'
>;

export function createDynamoBatches(ctx: DynamoContext): BatchMethods {
  return {
    createBatch: (input) => createBatch(ctx, input),
    resizeBatch: (input) => resize(ctx, input),
    countBatchChild: (input) => countChild(ctx, input),
    markBatchCallbacksSent: (batchId, nowMs) => markSent(ctx, batchId, nowMs),
    getBatch: (batchId, nowMs) => getBatch(ctx, batchId, nowMs),
    listBatches: (query, nowMs) => listBatches(ctx, query, nowMs),
  };
}

/** One conditional PutItem: a live record of the same id is left alone (`exists`). */
async function createBatch(ctx: DynamoContext, input: CreateBatchInput): Promise<'created' | 'exists'> {
  const x = createExpression();
  const free = `attribute_not_exists(${x.name(PK)}) OR ${x.name(BATCH_ATTRIBUTES.expiresAtSec)} <= ${x.number(Math.floor(input.nowMs / 1000))}`;
  const created = await conditionHolds(
    ctx.client.send(
      new PutItemCommand({
        TableName: ctx.tableName,
        Item: toBatchItem(newBatch(input)),
        ConditionExpression: free,
        ...x.params(),
      }),
    ),
  );
  return created ? 'created' : 'exists';
}

/**
 * One UpdateItem that moves total and pending together, conditioned on the batch being open and pending staying
 * at 0 or more (batch-decision.ts resizeBatch): a failed condition returns the record (ALL_OLD), read as `closed`.
 */
async function resize(ctx: DynamoContext, input: ResizeBatchInput): Promise<ResizeBatchResult> {
  const x = createExpression();
  const a = BATCH_ATTRIBUTES;
  const pending = x.name(a.pending);
  const delta = x.number(input.delta);
  try {
    const out = await ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: BATCH_ITEM.record(input.batchId),
        UpdateExpression: `SET ${x.name(a.total)} = ${x.name(a.total)} + ${delta}, ${pending} = ${pending} + ${delta}, ${x.name(a.changedAtMs)} = ${x.number(input.nowMs)} REMOVE ${x.name(a.lastCounted)}`,
        ConditionExpression: `attribute_exists(${x.name(PK)}) AND ${pending} > ${x.number(0)} AND ${pending} >= ${x.number(-input.delta)}`,
        ...x.params(),
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const batch = batchOf(out.Attributes);
    return batch ? { kind: 'resized', batch } : { kind: 'closed' };
  } catch (error) {
    const batch = live(batchOf(conditionFailedItem(error).item), input.nowMs);
    return batch ? { kind: 'closed', batch } : { kind: 'closed' };
  }
}

/**
 * One TransactWriteItems: the child's marker (Put, only if absent) and the batch's counters (Update, only if the
 * batch is open). A transaction cancelled on the marker means the child was counted before (its message came
 * twice): nothing changed. The record after the count is then read, consistently, for the caller to see whether
 * the batch finished (a transaction returns no values), and whether its own count finished it (`lastCounted`). So a child costs 2 transactional writes (4 write units
 * for small items) and one strongly consistent read.
 */
async function countChild(ctx: DynamoContext, input: CountBatchChildInput): Promise<CountBatchChildResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.client.send(countTransaction(ctx, input));
    } catch (error) {
      const reasons = cancellationReasons(error);
      // Children of one batch all update its record: concurrent transactions on it conflict. Tried again after a
      // short random wait; past that the error goes up and the engine lets the message come back.
      if (reasons.includes('TransactionConflict') && attempt < CONFLICT_TRIES) {
        await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * attempt));
        continue;
      }
      if (reasons[0] === 'ConditionalCheckFailed') {
        const batch = await getBatch(ctx, input.batchId, input.nowMs);
        return batch ? { kind: 'already-counted', batch } : { kind: 'missing' };
      }
      if (reasons[1] === 'ConditionalCheckFailed') {
        const batch = await getBatch(ctx, input.batchId, input.nowMs);
        return batch ? { kind: 'closed', batch } : { kind: 'missing' };
      }
      throw error;
    }
    // Other children may have counted since: the record names the last one, which is the one that finished it
    // (once pending is 0 no count passes the transaction's condition).
    const out = await ctx.client.send(
      new GetItemCommand({
        TableName: ctx.tableName,
        Key: BATCH_ITEM.record(input.batchId),
        ConsistentRead: true,
      }),
    );
    const batch = live(batchOf(out.Item), input.nowMs);
    if (!batch) return { kind: 'missing' };
    const last = out.Item?.[BATCH_ATTRIBUTES.lastCounted]?.S;
    return { kind: 'counted', batch, ended: batch.pending === 0 && last === input.jobId };
  }
}

/** Tries of a count whose transaction conflicted with another child's (see countChild). */
const CONFLICT_TRIES = 5;

function countTransaction(ctx: DynamoContext, input: CountBatchChildInput): TransactWriteItemsCommand {
  const a = BATCH_ATTRIBUTES;
  const x = createExpression();
  const n = x.name(countAttribute(input.outcome));
  const pending = x.name(a.pending);
  const one = x.number(1);
  const marker = createExpression();
  return new TransactWriteItemsCommand({
    TransactItems: [
      {
        Put: {
          TableName: ctx.tableName,
          Item: { ...BATCH_ITEM.child(input.batchId, input.jobId), ...childTtl(input) },
          ConditionExpression: `attribute_not_exists(${marker.name(PK)})`,
          ...marker.params(),
        },
      },
      {
        Update: {
          TableName: ctx.tableName,
          Key: BATCH_ITEM.record(input.batchId),
          UpdateExpression: `SET ${pending} = ${pending} - ${one}, ${n} = if_not_exists(${n}, ${x.number(0)}) + ${one}, ${x.name(a.changedAtMs)} = ${x.number(input.nowMs)}, ${x.name(a.lastCounted)} = ${x.string(input.jobId)}`,
          ConditionExpression: `attribute_exists(${x.name(PK)}) AND ${pending} > ${x.number(0)}`,
          ...x.params(),
        },
      },
    ],
  });
}

/** A marker lives as long as its batch's record: a redelivery after that finds no batch at all. */
function childTtl(input: CountBatchChildInput): Item {
  return { [BATCH_ATTRIBUTES.expiresAtSec]: { N: String(Math.ceil(input.nowMs / 1000) + MARKER_TTL_SEC) } };
}

/** 30 days: past any record retention a batch is created with, so a marker never outlives a countable child. */
const MARKER_TTL_SEC = 30 * 24 * 3_600;

/**
 * The per-item codes of a cancelled transaction; any other error is rethrown as it is (the engine decides what an
 * outage means). Matched by name: the SDK may be bundled more than once.
 */
function cancellationReasons(error: unknown): readonly (string | undefined)[] {
  if ((error as { name?: unknown } | null)?.name !== 'TransactionCanceledException') throw error;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code);
}

async function markSent(ctx: DynamoContext, batchId: string, nowMs: number): Promise<void> {
  const x = createExpression();
  const sent = x.name(BATCH_ATTRIBUTES.callbacksSentAtMs);
  await conditionHolds(
    ctx.client.send(
      new UpdateItemCommand({
        TableName: ctx.tableName,
        Key: BATCH_ITEM.record(batchId),
        UpdateExpression: `SET ${sent} = if_not_exists(${sent}, ${x.number(nowMs)})`,
        ConditionExpression: `attribute_exists(${x.name(PK)})`,
        ...x.params(),
      }),
    ),
  );
}

async function getBatch(
  ctx: DynamoContext,
  batchId: string,
  nowMs: number,
): Promise<BatchRecord | undefined> {
  const out = await ctx.client.send(
    new GetItemCommand({ TableName: ctx.tableName, Key: BATCH_ITEM.record(batchId), ConsistentRead: true }),
  );
  return live(batchOf(out.Item), nowMs);
}

/**
 * A Scan for batch records (the operator's listing, never the hot path): every page is read, because a table's
 * batches are spread through it, and the newest `limit` are kept.
 */
async function listBatches(
  ctx: DynamoContext,
  { limit = 50, after }: BatchListQuery,
  nowMs: number,
): Promise<readonly BatchRecord[]> {
  const x = createExpression();
  const found: BatchRecord[] = [];
  let start: Item | undefined;
  do {
    const out = await ctx.client.send(
      new ScanCommand({
        TableName: ctx.tableName,
        FilterExpression: `begins_with(${x.name(PK)}, ${x.string(BATCH_KEY_PREFIX)}) AND attribute_exists(${x.name(BATCH_ATTRIBUTES.total)})`,
        ...x.params(),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      const batch = live(batchOf(item), nowMs);
      if (batch && isAfter(batch, after)) found.push(batch);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return found.sort(batchListOrder).slice(0, Math.min(100, Math.max(1, limit)));
}

function live(batch: BatchRecord | undefined, nowMs: number): BatchRecord | undefined {
  return batch && !isBatchExpired(batch, nowMs) ? batch : undefined;
}

import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { itemSizeBytes } from '../../src/store/dynamodb/write-units';
import type { DynamoRead, DynamoWrite } from './request-log';

/**
 * Write and read units of the logged DynamoDB requests. moto does not meter capacity (it answers a constant 1.0),
 * so units are worked out here with the rules of the DynamoDB developer guide:
 * - a table write costs 1 unit per started KB of the larger of the old and new item (here: the item as it ends);
 *   a failed conditional write still costs at least 1;
 * - an item is in a global secondary index only while it has every key attribute of the index (a sparse index
 *   leaves the rest out); a write that puts it in or takes it out costs that index 1 unit, one that changes its
 *   key while it stays in costs 2 (delete the old entry, put the new one), and any other write none
 *   (GSI.html#GSI.Writes; the same rules as writeUnits in src/store/dynamodb/write-units.ts, which tests use);
 * - a strongly consistent GetItem of up to 4 KB costs 1 read unit, an eventually consistent one 0.5.
 */
export interface TableShape {
  readonly keyAttributes: readonly string[];
  /** Key attributes of each global secondary index. */
  readonly indexes: readonly (readonly string[])[];
}

type Item = Record<string, AttributeValue>;

export async function describeShape(client: DynamoDBClient, table: string): Promise<TableShape> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
  return {
    keyAttributes: (Table?.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
    indexes: (Table?.GlobalSecondaryIndexes ?? []).map((i) =>
      (i.KeySchema ?? []).map((k) => k.AttributeName ?? ''),
    ),
  };
}

/** The size in bytes of every item of the table, by key (read with an uninstrumented client after the run). */
export async function itemSizes(client: DynamoDBClient, table: string, shape: TableShape) {
  const sizes = new Map<string, number>();
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) sizes.set(keyOf(item, shape), itemSizeBytes(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return sizes;
}

export interface WriteUnits {
  readonly table: number;
  readonly index: number;
}

export function writeUnits(
  writes: readonly DynamoWrite[],
  shapes: ReadonlyMap<string, TableShape>,
  sizes: ReadonlyMap<string, ReadonlyMap<string, number>>,
): WriteUnits {
  /** Index key attributes each item holds now, by table, index and item key (tables start empty). */
  const held = new Map<string, ReadonlySet<string>>();
  let table = 0;
  let index = 0;
  for (const write of writes) {
    const shape = shapes.get(write.table);
    if (!shape) throw new Error(`capacity: no shape for table ${write.table}`);
    const key = keyOf(write.key ?? write.item ?? {}, shape);
    const units = Math.max(1, Math.ceil((sizes.get(write.table)?.get(key) ?? 0) / 1024));
    table += write.transactional ? 2 * units : units;
    if (write.failed) continue;
    shape.indexes.forEach((indexKeys, i) => {
      const entry = `${write.table}|${i}|${key}`;
      const before = held.get(entry) ?? new Set<string>();
      const after = heldAfter(write, indexKeys, before);
      held.set(entry, after);
      index += indexWrites(indexKeys, before, after, write);
    });
  }
  return { table, index };
}

function heldAfter(write: DynamoWrite, indexKeys: readonly string[], before: ReadonlySet<string>) {
  if (write.command === 'DeleteItem') return new Set<string>();
  // PutItem replaces the whole item; UpdateItem keeps what it does not touch.
  const kept = write.command === 'PutItem' ? [] : [...before];
  return new Set(
    [...kept, ...write.setAttributes]
      .filter((a) => indexKeys.includes(a))
      .filter((a) => !write.removedAttributes.includes(a)),
  );
}

function indexWrites(
  indexKeys: readonly string[],
  before: ReadonlySet<string>,
  after: ReadonlySet<string>,
  write: DynamoWrite,
): number {
  const was = indexKeys.every((a) => before.has(a));
  const is = indexKeys.every((a) => after.has(a));
  if (was !== is) return 1;
  // Still in the index: a key attribute it set again moves the entry (values are not logged, so a set counts).
  return was && indexKeys.some((a) => write.setAttributes.includes(a)) ? 2 : 0;
}

export function readUnits(reads: readonly DynamoRead[]): number {
  return reads.reduce((sum, read) => sum + (read.consistent ? 1 : 0.5), 0);
}

function keyOf(item: Item, shape: TableShape): string {
  return JSON.stringify(shape.keyAttributes.map((name) => item[name]));
}

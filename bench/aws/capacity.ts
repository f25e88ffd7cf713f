import {
  type AttributeValue,
  DescribeTableCommand,
  type DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoRead, DynamoWrite } from './request-log';

/**
 * Write and read units of the logged DynamoDB requests. moto does not meter capacity (it answers a constant 1.0),
 * so units are worked out here with the rules of the DynamoDB developer guide:
 * - a table write costs 1 unit per started KB of the larger of the old and new item (here: the item as it ends);
 *   a failed conditional write still costs at least 1;
 * - a write that sets a global secondary index's key costs that index 1 unit to insert the entry when the item was
 *   not in the index yet, and 2 (delete the old entry, put the new one) when it was (GSI.html#GSI.Writes);
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
  const indexed = new Set<string>();
  let table = 0;
  let index = 0;
  for (const write of writes) {
    const shape = shapes.get(write.table);
    if (!shape) throw new Error(`capacity: no shape for table ${write.table}`);
    const key = keyOf(write.key ?? write.item ?? {}, shape);
    table += Math.max(1, Math.ceil((sizes.get(write.table)?.get(key) ?? 0) / 1024));
    if (write.failed || write.command === 'DeleteItem') continue;
    shape.indexes.forEach((indexKeys, i) => {
      if (!indexKeys.some((attribute) => write.setAttributes.includes(attribute))) return;
      const entry = `${write.table}|${i}|${key}`;
      index += indexed.has(entry) ? 2 : 1;
      indexed.add(entry);
    });
  }
  return { table, index };
}

export function readUnits(reads: readonly DynamoRead[]): number {
  return reads.reduce((sum, read) => sum + (read.consistent ? 1 : 0.5), 0);
}

function keyOf(item: Item, shape: TableShape): string {
  return JSON.stringify(shape.keyAttributes.map((name) => item[name]));
}

/** DynamoDB's item size: attribute names plus values (numbers: about one byte per two digits, plus one). */
export function itemSizeBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/[-.]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M !== undefined) return 3 + itemSizeBytes(value.M) + Object.keys(value.M).length;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  return JSON.stringify(value).length;
}

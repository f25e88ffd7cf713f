import type { AttributeValue } from './dynamodb-api.js';
import { JOB_TABLE_SCHEMA } from './table-schema.js';

type Item = Record<string, AttributeValue>;

/**
 * What DynamoDB bills for writes, by the rules of its developer guide, for tests and the bench: moto answers
 * ConsumedCapacity with a constant (0.5 for any item, with or without an index), so it cannot be asked.
 */
export interface WriteUnits {
  readonly table: number;
  readonly index: number;
}

/**
 * The write units of one write that turned `before` into `after` (undefined: no item).
 * - The table: 1 unit per started KB of the larger of the two items, at least 1 (a failed condition too).
 * - Each global secondary index: an item enters the index only when it has every key attribute (a sparse index
 *   leaves the rest out). Entering or leaving costs 1 index write, a changed key while staying costs 2 (delete
 *   the old entry, put the new), and anything else costs the index nothing. Entries of a keys-only index are far
 *   below 1 KB, so each index write is 1 unit.
 */
export function writeUnits(
  before: Item | undefined,
  after: Item | undefined,
  indexKeys: readonly (readonly string[])[] = [
    [JOB_TABLE_SCHEMA.statusIndex.partitionKey, JOB_TABLE_SCHEMA.statusIndex.sortKey],
  ],
): WriteUnits {
  const largest = Math.max(itemSizeBytes(before ?? {}), itemSizeBytes(after ?? {}));
  const table = Math.max(1, Math.ceil(largest / 1024));
  const index = indexKeys.reduce((sum, keys) => sum + indexWrites(before, after, keys), 0);
  return { table, index };
}

export function totalWriteUnits(units: WriteUnits): number {
  return units.table + units.index;
}

function indexWrites(before: Item | undefined, after: Item | undefined, keys: readonly string[]): number {
  const was = indexEntry(before, keys);
  const is = indexEntry(after, keys);
  if (was === undefined && is === undefined) return 0;
  if (was === undefined || is === undefined) return 1;
  return was === is ? 0 : 2;
}

/** The item's entry in an index, as a comparable string, or undefined when the item is not in it. */
function indexEntry(item: Item | undefined, keys: readonly string[]): string | undefined {
  if (item === undefined || keys.some((key) => item[key] === undefined)) return undefined;
  return JSON.stringify(keys.map((key) => item[key]));
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

import { describe, expect, it } from 'vitest';
import { writeUnits } from '../../src/store/dynamodb/write-units';

const item = (extra: Record<string, { S: string } | { N: string }> = {}) => ({
  pk: { S: 'job#a' },
  updatedAtMs: { N: '1750000000000' },
  ...extra,
});
const shard = (status: string) => ({ statusShard: { S: `${status}#3` } });

describe('writeUnits', () => {
  it('charges a small item 1 unit and the sparse index nothing while the item lacks its key', () => {
    expect(writeUnits(undefined, item())).toEqual({ table: 1, index: 0 });
    expect(writeUnits(item(), item({ updatedAtMs: { N: '1750000000001' } }))).toEqual({ table: 1, index: 0 });
  });

  it('charges 1 index write to enter or leave the index, and 2 to move within it', () => {
    expect(writeUnits(item(), item(shard('dead')))).toEqual({ table: 1, index: 1 });
    expect(writeUnits(item(shard('retrying')), item())).toEqual({ table: 1, index: 1 });
    expect(writeUnits(item(shard('retrying')), item(shard('dead')))).toEqual({ table: 1, index: 2 });
    expect(writeUnits(item(shard('dead')), item({ ...shard('dead'), note: { S: 'x' } }))).toEqual({
      table: 1,
      index: 0,
    });
  });

  it('charges the table per started KB of the larger of the two items', () => {
    const big = item({ payload: { S: 'x'.repeat(1_100) } });
    expect(writeUnits(big, item())).toEqual({ table: 2, index: 0 });
    expect(writeUnits(item(), big)).toEqual({ table: 2, index: 0 });
  });
});

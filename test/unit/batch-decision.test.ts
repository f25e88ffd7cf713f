import { describe, expect, it } from 'vitest';
import {
  callbackJobId,
  callbacksDue,
  countChild,
  isBatchExpired,
  needsCallbacks,
  newBatch,
  resizeBatch,
} from '../../src/store/batch-decision';
import type { BatchCallback, BatchCallbackKind, BatchRecord } from '../../src/store/types';

const T0 = 1_750_000_000_000;
const callback = (kind: BatchCallbackKind): BatchCallback => ({
  kind,
  address: 'default',
  envelope: { v: 1, id: `b:${kind}`, job: kind, payload: {}, attempt: 1, createdAtMs: T0, enqueuedAtMs: T0 },
});
const all = [callback('onSuccess'), callback('onFinish'), callback('onDiscard')];
const batchOf = (total: number): BatchRecord =>
  newBatch({ batchId: 'b', total, callbacks: all, nowMs: T0, expiresAtSec: T0 / 1000 + 60 });
const kinds = (batch: BatchRecord) => callbacksDue(batch).map((c) => c.kind);

describe('batch rules (store/batch-decision)', () => {
  it('runs no callback while a child is pending', () => {
    expect(kinds(countChild(batchOf(2), 'succeeded', T0 + 1))).toEqual([]);
  });

  it('runs onSuccess and onFinish when every child succeeded', () => {
    const done = countChild(countChild(batchOf(2), 'succeeded', T0 + 1), 'succeeded', T0 + 2);
    expect(done).toMatchObject({ pending: 0, finishedAtMs: T0 + 2 });
    expect(kinds(done)).toEqual(['onSuccess', 'onFinish']);
  });

  it('runs onFinish and onDiscard, not onSuccess, when one child ended dead or discarded', () => {
    for (const outcome of ['dead', 'discarded'] as const) {
      const done = countChild(countChild(batchOf(2), 'succeeded', T0 + 1), outcome, T0 + 2);
      expect(kinds(done)).toEqual(['onFinish', 'onDiscard']);
    }
  });

  it('runs only onFinish when a child expired or was cancelled: neither a success nor a discard', () => {
    for (const outcome of ['expired', 'cancelled'] as const) {
      expect(kinds(countChild(batchOf(1), outcome, T0 + 1))).toEqual(['onFinish']);
    }
  });

  it('runs only the callbacks the batch was given', () => {
    const onlyFinish = { ...batchOf(1), callbacks: [callback('onFinish')] };
    expect(kinds(countChild(onlyFinish, 'dead', T0 + 1))).toEqual(['onFinish']);
  });

  it('grows an open batch, shrinks it not below 0, finishes it at 0, and refuses a finished one', () => {
    const grown = resizeBatch(batchOf(1), 2, T0 + 1);
    expect(grown).toMatchObject({ total: 3, pending: 3 });
    expect(resizeBatch(grown!, -4, T0 + 2)).toBeUndefined();
    const emptied = resizeBatch(grown!, -3, T0 + 3);
    expect(emptied).toMatchObject({ total: 0, pending: 0, finishedAtMs: T0 + 3 });
    expect(resizeBatch(emptied!, 1, T0 + 4)).toBeUndefined();
  });

  it('needs its callbacks sent once finished, until they are marked sent', () => {
    const done = countChild(batchOf(1), 'succeeded', T0 + 1);
    expect(needsCallbacks(batchOf(1))).toBe(false);
    expect(needsCallbacks(done)).toBe(true);
    expect(needsCallbacks({ ...done, callbacksSentAtMs: T0 + 2 })).toBe(false);
  });

  it('keeps the first finish time, names callbacks by batch, and expires by its TTL', () => {
    const done = countChild(batchOf(1), 'succeeded', T0 + 1);
    expect(countChild(done, 'succeeded', T0 + 9).finishedAtMs).toBe(T0 + 1);
    expect(callbackJobId('b-1', 'onFinish')).toBe('b-1:onFinish');
    expect(isBatchExpired(batchOf(1), T0 + 59_999)).toBe(false);
    expect(isBatchExpired(batchOf(1), T0 + 60_000)).toBe(true);
  });
});

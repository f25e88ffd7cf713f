import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideSlot, liveHolders, takeStart, throttleSpacing } from '../../src/store/flow-decision';
import type { ThrottleInput } from '../../src/store/types';

// The pure rules both stores apply (store/flow-decision.ts): slots by decideSlot, throttle starts by takeStart.

const T0 = 1_750_000_000_000;

const rates = fc.record({
  limit: fc.integer({ min: 1, max: 50 }),
  periodMs: fc.integer({ min: 1_000, max: 3_600_000 }),
  burst: fc.integer({ min: 0, max: 10 }),
});

/** Request times: gaps from 0 (several at one instant) to a few periods. */
const requestTimes = (maxGapMs: number) =>
  fc
    .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxGapMs })), { minLength: 1, maxLength: 200 })
    .map((gaps) => {
      let at = T0;
      return gaps.map((gap) => (at += gap));
    });

interface Take {
  readonly nowMs: number;
  readonly startMs: number;
}

function takeAll(rate: Omit<ThrottleInput, 'key' | 'nowMs'>, times: readonly number[]): Take[] {
  let tatMs: number | undefined;
  return times.map((nowMs) => {
    const taken = takeStart(tatMs, { key: 'k', ...rate, nowMs });
    tatMs = taken.tatMs;
    return { nowMs, startMs: taken.result.kind === 'now' ? nowMs : taken.result.atMs };
  });
}

describe('takeStart (GCRA with reservations)', () => {
  it('never starts more than limit + burst in any window of one period', () => {
    const crowded = rates.chain((rate) =>
      fc.tuple(fc.constant(rate), requestTimes(Math.ceil((2 * rate.periodMs) / rate.limit))),
    );
    fc.assert(
      fc.property(crowded, ([rate, times]) => {
        const starts = takeAll(rate, times).map((t) => t.startMs);
        const most = rate.limit + rate.burst;
        for (let i = 0; i + most < starts.length; i++)
          expect(starts[i + most]! - starts[i]!).toBeGreaterThanOrEqual(rate.periodMs);
      }),
      { numRuns: 500 },
    );
  });

  it('gives every request a start, no earlier than it asked, in the order it asked', () => {
    fc.assert(
      fc.property(rates, requestTimes(120_000), (rate, times) => {
        const takes = takeAll(rate, times);
        for (const [i, take] of takes.entries()) {
          expect(take.startMs).toBeGreaterThanOrEqual(take.nowMs);
          if (i > 0) expect(take.startMs).toBeGreaterThanOrEqual(takes[i - 1]!.startMs);
        }
      }),
    );
  });

  it('starts a request now whenever the steady rate allows, and reserves only what is over it', () => {
    fc.assert(
      fc.property(rates, requestTimes(120_000), (rate, times) => {
        const { intervalMs } = throttleSpacing(rate);
        const takes = takeAll(rate, times);
        // A reserved start is never later than one interval after the start before it (or now): no slot is
        // left unused while requests wait.
        for (const [i, take] of takes.entries()) {
          const previous = i === 0 ? Number.NEGATIVE_INFINITY : takes[i - 1]!.startMs;
          const floor = Math.max(take.nowMs, previous + intervalMs);
          if (take.startMs > take.nowMs) expect(take.startMs).toBeLessThanOrEqual(Math.ceil(floor) + 1);
        }
      }),
    );
  });

  it('lets limit + burst start at once after a quiet time, then spaces starts one interval apart', () => {
    fc.assert(
      fc.property(rates, (rate) => {
        const { intervalMs } = throttleSpacing(rate);
        const count = rate.burst + 40;
        const takes = takeAll(rate, Array<number>(count).fill(T0));
        const now = takes.filter((t) => t.startMs === T0).length;
        expect(now).toBe(rate.burst + 1);
        // Exactly, after any number of fractional intervals: their sums accumulate no rounding.
        for (const [k, take] of takes.slice(rate.burst + 1).entries())
          expect(take.startMs).toBe(Math.ceil(T0 + (k + 1) * intervalMs));
      }),
    );
  });

  it('keeps the tat where it was when idle: a take after a quiet time starts now and sets tat one interval on', () => {
    const input = { key: 'k', limit: 5, periodMs: 60_000, burst: 0, nowMs: T0 + 600_000 };
    expect(takeStart(T0, input)).toEqual({ result: { kind: 'now' }, tatMs: T0 + 612_000 });
    expect(takeStart(undefined, input)).toEqual({ result: { kind: 'now' }, tatMs: T0 + 612_000 });
    expect(takeStart(T0 + 612_000, input)).toEqual({
      result: { kind: 'reserved', atMs: T0 + 612_000 },
      tatMs: T0 + 624_000,
    });
  });
});

describe('decideSlot', () => {
  const input = { key: 'k', holder: 'me', limit: 2, nowMs: T0, leaseExpiresAtMs: T0 + 30_000 };

  it('counts a holder live strictly before its lease end', () => {
    expect(liveHolders({ a: T0 + 1, b: T0, c: T0 - 1 }, T0)).toEqual([['a', T0 + 1]]);
  });

  it('gives a slot while fewer than limit are live, lapsed holders counting for nothing', () => {
    expect(decideSlot({}, input)).toEqual({ kind: 'acquired' });
    expect(decideSlot({ a: T0 + 5, b: T0 }, input)).toEqual({ kind: 'acquired' });
    expect(decideSlot({ a: T0 + 5, b: T0 + 9 }, input)).toEqual({
      kind: 'full',
      holders: 2,
      earliestLeaseEndMs: T0 + 5,
    });
  });

  it('keeps the slot of a live holder that asks again, even when full, but not of a lapsed one', () => {
    expect(decideSlot({ a: T0 + 5, me: T0 + 9 }, input)).toEqual({ kind: 'acquired' });
    expect(decideSlot({ a: T0 + 5, b: T0 + 7, me: T0 }, input).kind).toBe('full');
  });
});

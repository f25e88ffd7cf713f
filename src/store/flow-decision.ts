import type { SlotInput, SlotResult, ThrottleInput, ThrottleResult } from './types.js';

/** The holders of one concurrency limit's slots: holder -> when its lease ends (epoch ms). */
export type SlotHolders = Readonly<Record<string, number>>;

/** Holders whose lease is still live at `nowMs` (strictly before its end, as isLeaseLive counts). */
export function liveHolders(holders: SlotHolders, nowMs: number): [string, number][] {
  return Object.entries(holders).filter(([, leaseEnd]) => nowMs < leaseEnd);
}

/**
 * The slot rules every adapter applies: a holder already in the set keeps its slot (a retried request landed),
 * a lapsed holder counts for nothing (its run crashed), and a new one gets a slot while fewer than `limit` live.
 */
export function decideSlot(holders: SlotHolders, input: SlotInput): SlotResult {
  const live = liveHolders(holders, input.nowMs);
  if (live.some(([holder]) => holder === input.holder)) return { kind: 'acquired' };
  if (live.length < input.limit) return { kind: 'acquired' };
  return {
    kind: 'full',
    holders: live.length,
    earliestLeaseEndMs: Math.min(...live.map(([, leaseEnd]) => leaseEnd)),
  };
}

/**
 * Intervals are rounded up to 1/256 ms. Sums of such steps are exact in binary floating point (for epoch ms below
 * 2^43) and in DynamoDB's decimals, so a long line of reservations accumulates no rounding, and the memory and
 * DynamoDB stores reach the same starts. The rounding makes each interval at most 4 µs longer than the exact one.
 */
const STEPS_PER_MS = 256;

/**
 * A tat read back from DynamoDB is off by the rounding of one JSON number (well under 1 µs); a start within this
 * of a whole millisecond counts as that millisecond. It is below one step (1/256 ms), so it never moves a start
 * that is truly later.
 */
const SLACK_MS = 0.001;

/** GCRA's emission interval (the spacing of starts) and tolerance (how far ahead a start may be taken). */
export function throttleSpacing(input: Pick<ThrottleInput, 'limit' | 'periodMs' | 'burst'>) {
  const intervalMs = Math.ceil((input.periodMs / input.limit) * STEPS_PER_MS) / STEPS_PER_MS;
  return { intervalMs, toleranceMs: input.burst * intervalMs };
}

/**
 * GCRA with reservations. `tatMs` is the theoretical arrival time: when the next start would be due at the steady
 * rate. A start is taken at the later of now and `tat - tolerance`, and `tat` moves one interval on, whether the
 * start is now or reserved: so no window of `periodMs` ever holds more than `limit + burst` starts, and a job put
 * off keeps its place in line. Reserved starts are whole milliseconds, rounded up.
 */
export function takeStart(
  tatMs: number | undefined,
  input: ThrottleInput,
): { readonly result: ThrottleResult; readonly tatMs: number } {
  const { intervalMs, toleranceMs } = throttleSpacing(input);
  const tat = Math.max(tatMs ?? input.nowMs, input.nowMs);
  const startAtMs = Math.max(input.nowMs, tat - toleranceMs);
  const result: ThrottleResult =
    startAtMs <= input.nowMs + SLACK_MS
      ? { kind: 'now' }
      : { kind: 'reserved', atMs: Math.ceil(startAtMs - SLACK_MS) };
  return { result, tatMs: tat + intervalMs };
}

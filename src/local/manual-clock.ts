import type { Clock } from '../clock.js';

/** A clock that moves only when told: tests and the embedded engine's fast-forward use it. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms` and wakes every sleeper that is due. */
  advance(ms: number): void;
  /** Moves time to `ms` (never backwards) and wakes every sleeper that is due. */
  advanceTo(ms: number): void;
  /** The earliest time a sleeper waits for, if any. */
  nextWakeMs(): number | undefined;
}

interface Sleeper {
  readonly wakeAtMs: number;
  readonly resolve: () => void;
}

export function createManualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let now = startMs;
  let sleepers: Sleeper[] = [];
  const wakeDue = () => {
    const due = sleepers.filter((s) => s.wakeAtMs <= now);
    sleepers = sleepers.filter((s) => s.wakeAtMs > now);
    for (const sleeper of due) sleeper.resolve();
  };
  return {
    nowMs: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const sleeper: Sleeper = {
          wakeAtMs: now + Math.max(0, ms),
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.push(sleeper);
        if (ms <= 0) wakeDue();
      });
    },
    advance(ms) {
      now += Math.max(0, ms);
      wakeDue();
    },
    advanceTo(ms) {
      now = Math.max(now, ms);
      wakeDue();
    },
    nextWakeMs: () => (sleepers.length === 0 ? undefined : Math.min(...sleepers.map((s) => s.wakeAtMs))),
  };
}

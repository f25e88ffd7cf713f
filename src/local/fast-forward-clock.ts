import type { ManualClock } from './manual-clock.js';

/**
 * Real time that can also jump: time flows as usual (so a job's run takes the milliseconds it really takes), and
 * `advanceTo` skips over waits (backoffs, delays) at once. The embedded engine's default clock.
 * @param startMs where its time starts (a saved engine's time, say). @default the current time
 */
export function createFastForwardClock(startMs: number = Date.now()): ManualClock {
  const realStart = performance.now();
  const base = startMs;
  let skippedMs = 0;
  const sleepers = new Set<{ wakeAtMs: number; wake: () => void }>();
  const nowMs = () => Math.round(base + skippedMs + (performance.now() - realStart));
  const wakeDue = () => {
    for (const sleeper of [...sleepers]) if (sleeper.wakeAtMs <= nowMs()) sleeper.wake();
  };
  return {
    nowMs,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => sleeper.wake(), Math.max(0, ms));
        const onAbort = () => {
          clearTimeout(timer);
          sleepers.delete(sleeper);
          reject(signal?.reason);
        };
        const sleeper = {
          wakeAtMs: nowMs() + Math.max(0, ms),
          wake: () => {
            clearTimeout(timer);
            sleepers.delete(sleeper);
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    advance(ms) {
      skippedMs += Math.max(0, ms);
      wakeDue();
    },
    advanceTo(ms) {
      skippedMs += Math.max(0, ms - nowMs());
      wakeDue();
    },
    nextWakeMs: () => (sleepers.size === 0 ? undefined : Math.min(...[...sleepers].map((s) => s.wakeAtMs))),
  };
}

import type { Clock } from '../../src/clock';

interface Sleeper {
  readonly wakeAtMs: number;
  readonly resolve: () => void;
}

/**
 * A Clock that moves only when told. `sleep` resolves once `advance` (or `set`) passes its wake time.
 * With `autoAdvance`, every sleep moves the clock forward by its length and resolves at once: for code that
 * waits between retries, so tests run instantly and can still assert what was waited (`sleeps`).
 */
export class ManualClock implements Clock {
  private now: number;
  private readonly autoAdvance: boolean;
  private sleepers: Sleeper[] = [];
  /** Every duration passed to `sleep`, in call order. */
  readonly sleeps: number[] = [];

  constructor(options: { startMs?: number; autoAdvance?: boolean } = {}) {
    this.now = options.startMs ?? Date.UTC(2030, 0, 1);
    this.autoAdvance = options.autoAdvance ?? false;
  }

  nowMs(): number {
    return this.now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.autoAdvance) {
      this.now += Math.max(0, ms);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        wakeAtMs: this.now + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
      if (ms <= 0) this.wake();
    });
  }

  /** Moves time forward and wakes every sleeper whose time has come. */
  advance(ms: number): void {
    this.set(this.now + ms);
  }

  set(nowMs: number): void {
    if (nowMs < this.now) throw new Error(`ManualClock cannot go back in time (${nowMs} < ${this.now})`);
    this.now = nowMs;
    this.wake();
  }

  /** Sleeps not yet woken. */
  pendingSleeps(): number {
    return this.sleepers.length;
  }

  private wake(): void {
    const due = this.sleepers.filter((s) => s.wakeAtMs <= this.now).sort((a, b) => a.wakeAtMs - b.wakeAtMs);
    this.sleepers = this.sleepers.filter((s) => s.wakeAtMs > this.now);
    for (const sleeper of due) sleeper.resolve();
  }
}

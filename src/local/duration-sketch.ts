/**
 * Run durations kept in bounded memory, with percentiles within 1% of the true value (the DDSketch scheme): a
 * duration goes into the logarithmic bin `ceil(log_gamma(ms))`, and a bin reads back as the value whose relative
 * distance to both of its edges is 1%. Bins are counts, so a sketch of a million runs is as small as one of ten;
 * durations from 1 ms to a day fall in at most about 920 bins. Under 1 ms reads 0 (the engine's clock counts
 * whole milliseconds). Sketches merge by adding bins, which is how a window of minute buckets is summed.
 */
export interface DurationSketchState {
  /** Durations under 1 ms. */
  readonly zero: number;
  /** Count per bin index (JSON object keys are strings). */
  readonly bins: Readonly<Record<string, number>>;
  readonly count: number;
  readonly sumMs: number;
}

/** The largest relative error of a percentile read from a sketch. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);

export class DurationSketch {
  private zero = 0;
  private readonly bins = new Map<number, number>();
  private total = 0;
  private sum = 0;

  static from(state: DurationSketchState): DurationSketch {
    const sketch = new DurationSketch();
    sketch.zero = state.zero;
    for (const [index, count] of Object.entries(state.bins)) sketch.bins.set(Number(index), count);
    sketch.total = state.count;
    sketch.sum = state.sumMs;
    return sketch;
  }

  get count(): number {
    return this.total;
  }

  /** The mean of what was added (exact: the sum is kept beside the bins); null when empty. */
  mean(): number | null {
    return this.total === 0 ? null : this.sum / this.total;
  }

  add(ms: number): void {
    // A negative or non-finite duration (a clock set back) is not a duration: it is left out, not guessed at.
    if (!Number.isFinite(ms) || ms < 0) return;
    this.total += 1;
    this.sum += ms;
    if (ms < 1) {
      this.zero += 1;
      return;
    }
    const index = Math.ceil(Math.log(ms) / LOG_GAMMA);
    this.bins.set(index, (this.bins.get(index) ?? 0) + 1);
  }

  merge(other: DurationSketch): void {
    this.zero += other.zero;
    this.total += other.total;
    this.sum += other.sum;
    for (const [index, count] of other.bins) this.bins.set(index, (this.bins.get(index) ?? 0) + count);
  }

  /**
   * The nearest-rank percentile (`q` from 0 to 1): the smallest kept duration with at least `q` of the runs at or
   * below it, read from its bin and rounded to the millisecond. Null when empty.
   */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    if (rank <= this.zero) return 0;
    let seen = this.zero;
    for (const index of [...this.bins.keys()].sort((a, b) => a - b)) {
      seen += this.bins.get(index) ?? 0;
      if (seen >= rank) return Math.round((2 * GAMMA ** index) / (GAMMA + 1));
    }
    return null;
  }

  toJSON(): DurationSketchState {
    return { zero: this.zero, bins: Object.fromEntries(this.bins), count: this.total, sumMs: this.sum };
  }
}

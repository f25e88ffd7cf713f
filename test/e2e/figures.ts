/** The figures the end-to-end test prints: time per step, and latencies. Printed, never asserted as timings. */
export interface Step {
  readonly name: string;
  readonly ms: number;
}

export function createStepClock() {
  const steps: Step[] = [];
  return {
    steps,
    /** Runs `work` and records how long it took under `name`, whether it succeeds or throws. */
    async time<T>(name: string, work: () => Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await work();
      } finally {
        steps.push({ name, ms: performance.now() - started });
      }
    },
    report(): string {
      const width = Math.max(...steps.map((s) => s.name.length), 4);
      const total = steps.reduce((sum, s) => sum + s.ms, 0);
      return [
        ...steps.map((s) => `  ${s.name.padEnd(width)}  ${(s.ms / 1000).toFixed(1).padStart(6)} s`),
        `  ${'sum of steps'.padEnd(width)}  ${(total / 1000).toFixed(1).padStart(6)} s`,
      ].join('\n');
    },
  };
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Latency {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
}

export function latency(values: readonly number[]): Latency {
  return { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95) };
}

/**
 * How much each figure measures. The full run fits in 15 minutes on 2 cores; the smoke run (WHARF_BENCH_SMOKE=1,
 * `npm run bench:smoke`) exercises every code path with tiny counts in well under a minute, so CI keeps the bench
 * from rotting without timing anything.
 */
export interface BenchConfig {
  readonly smoke: boolean;
  /** Figure 1: request counts are exact per job, so a few hundred jobs per scenario suffice. */
  readonly requests: {
    readonly jobs: number;
    readonly wave: number;
    readonly delayJobs: number;
    /** Debounced bursts measured (each of DEBOUNCE_BURST enqueues). */
    readonly debounceBursts: number;
  };
  /** The delay of the long-delay scenario (beyond SQS's 15 minutes). */
  readonly longDelayMs: number;
  /** Figure 2 on the emulator: moto runs about 300 DynamoDB writes a second, hence fewer jobs than 10,000. */
  readonly workerOnEmulator: { readonly jobs: number; readonly wave: number; readonly runs: number };
  /** Figure 2 without I/O: the handlers in-process on in-memory stores. */
  readonly workerInMemory: { readonly jobs: number; readonly runs: number };
  /** Figure 3. */
  readonly enqueue: {
    readonly runs: number;
    readonly emulatorJobs: number;
    readonly stubOneByOneJobs: number;
    readonly stubBulkJobs: number;
    /** The stub endpoint's answer time: a same-Region SQS round trip is a few milliseconds to a few tens. */
    readonly stubLatencyMs: number;
  };
  /** Figure 4: fresh Node processes per bundle. */
  readonly coldStart: { readonly runs: number };
  /** Figure 5. */
  readonly embedded: { readonly jobs: number; readonly runs: number };
}

const FULL: BenchConfig = {
  smoke: false,
  requests: { jobs: 300, wave: 100, delayJobs: 50, debounceBursts: 20 },
  longDelayMs: 3_600_000,
  workerOnEmulator: { jobs: 1_000, wave: 200, runs: 3 },
  workerInMemory: { jobs: 10_000, runs: 7 },
  enqueue: { runs: 3, emulatorJobs: 300, stubOneByOneJobs: 300, stubBulkJobs: 3_000, stubLatencyMs: 10 },
  coldStart: { runs: 30 },
  embedded: { jobs: 20_000, runs: 5 },
};

const SMOKE: BenchConfig = {
  smoke: true,
  requests: { jobs: 20, wave: 20, delayJobs: 10, debounceBursts: 2 },
  longDelayMs: 3_600_000,
  workerOnEmulator: { jobs: 20, wave: 20, runs: 1 },
  workerInMemory: { jobs: 200, runs: 1 },
  enqueue: { runs: 1, emulatorJobs: 20, stubOneByOneJobs: 20, stubBulkJobs: 100, stubLatencyMs: 10 },
  coldStart: { runs: 2 },
  embedded: { jobs: 1_000, runs: 1 },
};

export function benchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  return env.WHARF_BENCH_SMOKE === '1' ? SMOKE : FULL;
}

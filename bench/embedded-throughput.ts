import { createRegistry, defineJob, type IdempotencyMode } from 'wharf-jobs';
import { createLocalEngine, createManualClock } from 'wharf-jobs/local';
import { z } from 'zod';
import { type Spread, spread } from './stats';

// Embedded engine throughput for no-op jobs: enqueue N in bulk, then drain, on one Node process (one core).
// Reports the median of several runs and the spread. Not a test: nothing here asserts a time.
// `npm run bench:local` prints a table; `--json` prints one JSON line (figure 5 of `npm run bench` reads it).
const N = Number(process.env.WHARF_BENCH_JOBS ?? 20_000);
const RUNS = Number(process.env.WHARF_BENCH_RUNS ?? 5);
const MODES = ['off', 'tracked', 'exactly-once'] as const;

export interface EmbeddedModeResult {
  readonly mode: IdempotencyMode;
  readonly runJobsPerSecond: Spread;
  readonly enqueueJobsPerSecond: Spread;
}

async function once(mode: IdempotencyMode): Promise<{ enqueuePerSec: number; runPerSec: number }> {
  const noop = defineJob({
    name: 'noop',
    schema: z.object({ i: z.number() }),
    idempotency: mode,
    perform: () => undefined,
  });
  const engine = createLocalEngine({
    registry: createRegistry([noop]),
    clock: createManualClock(),
  });
  const requests = Array.from({ length: N }, (_, i) => noop.with({ i }));
  const t0 = performance.now();
  const { failed } = await engine.client.enqueueMany(requests);
  const t1 = performance.now();
  const summary = await engine.runUntilIdle({ maxMessages: N + 1 });
  const t2 = performance.now();
  if (failed.length > 0 || summary.byOutcome.succeeded !== N)
    throw new Error(`expected ${N} successes, got ${JSON.stringify(summary.byOutcome)}`);
  engine.close();
  return { enqueuePerSec: N / ((t1 - t0) / 1000), runPerSec: N / ((t2 - t1) / 1000) };
}

async function measure(mode: IdempotencyMode): Promise<EmbeddedModeResult> {
  await once(mode); // warm-up
  const results = [];
  for (let r = 0; r < RUNS; r++) results.push(await once(mode));
  return {
    mode,
    runJobsPerSecond: spread(results.map((r) => r.runPerSec)),
    enqueueJobsPerSecond: spread(results.map((r) => r.enqueuePerSec)),
  };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

if (process.argv.includes('--json')) {
  const modes = [];
  for (const mode of MODES) modes.push(await measure(mode));
  console.log(JSON.stringify({ jobs: N, runs: RUNS, node: process.version, modes }));
} else {
  console.log(`embedded engine, ${N} no-op jobs per run, ${RUNS} runs, Node ${process.version}`);
  console.log('mode          run jobs/s (median [min..max])     enqueue jobs/s (median)');
  for (const mode of MODES) {
    const { runJobsPerSecond: run, enqueueJobsPerSecond: enqueue } = await measure(mode);
    console.log(
      `${mode.padEnd(13)} ${fmt(run.median).padStart(8)} [${fmt(run.min)}..${fmt(run.max)}]`.padEnd(48) +
        fmt(enqueue.median).padStart(10),
    );
  }
}

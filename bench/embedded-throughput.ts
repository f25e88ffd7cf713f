import { createRegistry, defineJob, type IdempotencyMode } from 'wharf';
import { createLocalEngine, createManualClock } from 'wharf/local';
import { z } from 'zod';

// Embedded engine throughput for no-op jobs: enqueue N in bulk, then drain, on one Node process (one core).
// Reports the median of several runs and the spread. Not a test: nothing here asserts a time.
const N = Number(process.env.WHARF_BENCH_JOBS ?? 20_000);
const RUNS = Number(process.env.WHARF_BENCH_RUNS ?? 5);

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
    installAsDefault: false,
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

console.log(`embedded engine, ${N} no-op jobs per run, ${RUNS} runs, Node ${process.version}`);
console.log('mode          run jobs/s (median [min..max])     enqueue jobs/s (median)');
for (const mode of ['off', 'tracked', 'exactly-once'] as const) {
  await once(mode); // warm-up
  const results = [];
  for (let r = 0; r < RUNS; r++) results.push(await once(mode));
  const run = results.map((r) => r.runPerSec);
  console.log(
    `${mode.padEnd(13)} ${fmt(median(run)).padStart(8)} [${fmt(Math.min(...run))}..${fmt(Math.max(...run))}]`.padEnd(
      48,
    ) + fmt(median(results.map((r) => r.enqueuePerSec))).padStart(10),
  );
}

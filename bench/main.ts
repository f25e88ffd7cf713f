import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { PRICES } from '../src/ops/prices';
import { startEmulator } from './aws/emulator';
import { benchConfig } from './config';
import { coldStartFigure } from './figures/cold-start';
import { embeddedFigure } from './figures/embedded';
import { enqueueFigure } from './figures/enqueue-throughput';
import { entryPointFigure } from './figures/entry-points';
import { requestFigure } from './figures/requests';
import { workerFigure } from './figures/worker-time';
import { renderMarkdown } from './report/markdown';
import type { BenchResults } from './report/types';
import { writeResults } from './report/write';
import { checkTargets } from './targets';

// `npm run bench`: wharf against SQS + Powertools + middy, side by side in one run, on a moto server this script
// starts and stops, plus the embedded engine. Writes bench/results/latest.{json,md} and prints the tables.
// Nothing here asserts a time; the targets are reported, not enforced.
const config = benchConfig();
const startedAt = new Date();
const t0 = performance.now();
const step = (what: string) =>
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${what}\n`);

step(`starting moto server${config.smoke ? ' (smoke run: tiny counts)' : ''}`);
const emulator = await startEmulator();
let onEmulator: Pick<BenchResults, 'requests' | 'worker' | 'enqueue'>;
try {
  step('figure 1: requests and cost per job');
  const requests = await requestFigure(emulator, config);
  step('figure 2: worker time through the Lambda handler');
  const worker = await workerFigure(emulator, config);
  step('figure 3: enqueue throughput');
  const enqueue = await enqueueFigure(emulator, config);
  onEmulator = { requests, worker, enqueue };
} finally {
  await emulator.stop();
}
step('figure 4: cold start (esbuild bundles, fresh Node processes)');
const coldStart = await coldStartFigure(config);
step('figure 5: embedded engine');
const embedded = embeddedFigure(config);
step('figure 6: entry points (esbuild metafiles)');
const entryPoints = await entryPointFigure();

const figures = { ...onEmulator, coldStart, embedded, entryPoints };
const results: BenchResults = {
  meta: {
    startedAt: startedAt.toISOString(),
    durationSeconds: (performance.now() - t0) / 1000,
    smoke: config.smoke,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown CPU',
    cores: cpus().length,
    emulator: `moto server ${motoVersion()}`,
  },
  prices: PRICES,
  ...figures,
  targets: checkTargets(figures),
};
const written = writeResults(results);
console.log(renderMarkdown(results));
step(`wrote ${written.json} and ${written.markdown}`);

/** The version scripts/ensure-moto.sh pins (and installs before any run). */
function motoVersion(): string {
  const script = readFileSync(resolve(import.meta.dirname, '../scripts/ensure-moto.sh'), 'utf8');
  return /MOTO_VERSION="([^"]+)"/.exec(script)?.[1] ?? '(version unknown)';
}

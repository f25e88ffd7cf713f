import type { ColdStartFigure } from './figures/cold-start';
import type { EmbeddedFigure } from './figures/embedded';
import type { EnqueueRow } from './figures/enqueue-throughput';
import type { RequestFigure } from './figures/requests';
import type { WorkerFigure } from './figures/worker-time';

/** One target of issue 7, with what this run measured against it. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** Which figure and row the verdict rests on. */
  readonly basis: string;
}

export interface Figures {
  readonly requests: RequestFigure;
  readonly worker: WorkerFigure;
  readonly enqueue: readonly EnqueueRow[];
  readonly coldStart: ColdStartFigure;
  readonly embedded: EmbeddedFigure;
}

const x = (n: number) => `${n.toFixed(2)}×`;

export function checkTargets(f: Figures): TargetCheck[] {
  return [...requestTargets(f.requests), ...workerTargets(f.worker), ...otherTargets(f)];
}

function requestTargets(r: RequestFigure): TargetCheck[] {
  const bulk = (mode: string) => r.rows.find((row) => row.case === `${mode}, bulk enqueue`)!;
  const plain = bulk('plain (off)');
  const writes = (mode: string, max: number): TargetCheck => {
    const side = bulk(mode).wharf;
    return {
      target: `DynamoDB writes per job, ${mode} ≤ ${max}`,
      measured: `${side.dynamodbWritesPerJob.toFixed(2)} (${side.writeUnitsPerJob.total.toFixed(2)} write units)`,
      met: side.dynamodbWritesPerJob <= max + 1e-9,
      basis: `figure 1, ${mode}, bulk enqueue: write requests (units, index writes included, in brackets)`,
    };
  };
  return [
    {
      target: 'requests per job, plain jobs with bulk enqueue ≤ 0.5× the baseline',
      measured: `${x(plain.requestRatio)} (${plain.wharf.requestsPerJob.toFixed(2)} against ${plain.baseline.requestsPerJob.toFixed(2)})`,
      met: plain.requestRatio <= 0.5,
      basis: 'figure 1, plain (off), bulk enqueue',
    },
    {
      target: 'requests per job, plain jobs with bulk enqueue ≤ 0.35',
      measured: plain.wharf.requestsPerJob.toFixed(2),
      met: plain.wharf.requestsPerJob <= 0.35,
      basis: 'figure 1, plain (off), bulk enqueue',
    },
    writes('exactly-once', 2),
    writes('tracked', 1),
    writes('plain (off)', 0),
  ];
}

function workerTargets(w: WorkerFigure): TargetCheck[] {
  return w.inMemory.pairs.map((pair) => ({
    target: `worker overhead ≤ 0.8× the baseline: ${pair.wharf} against ${pair.baseline}`,
    measured: `CPU ${x(pair.cpuRatio.median)} [${x(pair.cpuRatio.p10)}..${x(pair.cpuRatio.p90)}], wall ${x(pair.wallRatio.median)}`,
    met: pair.cpuRatio.median <= 0.8,
    basis: `figure 2, I/O taken out (the libraries' own cost), median of per-round CPU ratios; ${pair.note}`,
  }));
}

function otherTargets(f: Figures): TargetCheck[] {
  const stub = f.enqueue.find((row) => row.target.startsWith('SQS stub'))!;
  const moto = f.enqueue.find((row) => row.target === 'moto server')!;
  const bundled = f.coldStart.rows.filter((row) => row.variant === f.coldStart.variants[0]);
  const baseline = bundled[0]!;
  const minimal = bundled.find((row) => row.entry === 'bench/wharf/entry.ts')!;
  const off = f.embedded.modes.find((m) => m.mode === 'off')!;
  return [
    {
      target: 'bulk enqueue ≥ 8× one-by-one',
      measured: `${x(stub.bulkOverOneByOne.median)} against the ${stub.target.replace('SQS stub answering in ', '')} SQS stub; ${x(moto.bulkOverOneByOne.median)} on moto`,
      met: stub.bulkOverOneByOne.median >= 8,
      basis: 'figure 3, the fixed-latency stub (round trips decide on AWS; moto is Python on the same cores)',
    },
    {
      target: 'bundle size ≤ 0.7× the baseline',
      measured: `${x(minimal.sizeRatio ?? Number.NaN)} (${kb(minimal.bytes)} against ${kb(baseline.bytes)})`,
      met: (minimal.sizeRatio ?? Number.POSITIVE_INFINITY) <= 0.7,
      basis: `figure 4, ${f.coldStart.variants[0]}, minimal wharf worker against the Powertools + middy handler`,
    },
    {
      target: 'init time ≤ 0.8× the baseline',
      measured: `${x(minimal.initRatio?.median ?? Number.NaN)} (${minimal.initMs.median.toFixed(1)} ms against ${baseline.initMs.median.toFixed(1)} ms)`,
      met: (minimal.initRatio?.median ?? Number.POSITIVE_INFINITY) <= 0.8,
      basis: `figure 4, ${f.coldStart.variants[0]}, median of per-round ratios`,
    },
    {
      target: 'embedded engine ≥ 50,000 no-op jobs/s on one core',
      measured: `${Math.round(off.runJobsPerSecond.median).toLocaleString('en-US')} jobs/s`,
      met: off.runJobsPerSecond.median >= 50_000,
      basis: `figure 5, idempotency off, ${f.embedded.oneCore}`,
    },
  ];
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

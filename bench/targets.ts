import type { ColdStartFigure } from './figures/cold-start';
import type { EmbeddedFigure } from './figures/embedded';
import type { EnqueueRow } from './figures/enqueue-throughput';
import type { EntryPointFigure } from './figures/entry-points';
import type { RequestFigure } from './figures/requests';
import type { WorkerFigure } from './figures/worker-time';
import { spread } from './stats';

/** One target of issues 7 and 10, with what this run measured against it. */
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
  readonly entryPoints: EntryPointFigure;
}

const x = (n: number) => `${n.toFixed(2)}×`;
/** A target's factor as written in the issue (0.7×, 1.0×). */
const times = (n: number) => `${Number.isInteger(n) ? n.toFixed(1) : String(n)}×`;

export function checkTargets(f: Figures): TargetCheck[] {
  return [
    ...requestTargets(f.requests),
    ...workerTargets(f.worker),
    ...otherTargets(f),
    ...coldStartTargets(f.coldStart),
    rootEntryTarget(f.entryPoints),
  ];
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
  const off = f.embedded.modes.find((m) => m.mode === 'off')!;
  return [
    {
      target: 'bulk enqueue ≥ 8× one-by-one',
      measured: `${x(stub.bulkOverOneByOne.median)} against the ${stub.target.replace('SQS stub answering in ', '')} SQS stub; ${x(moto.bulkOverOneByOne.median)} on moto`,
      met: stub.bulkOverOneByOne.median >= 8,
      basis: 'figure 3, the fixed-latency stub (round trips decide on AWS; moto is Python on the same cores)',
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

const MINIMAL = 'bench/wharf/entry.ts';
const BASELINE = 'bench/baseline/entry.ts';

/**
 * Cold start, judged as each side deploys by default: the minimal wharf worker as the WharfJobs construct bundles
 * it (split) against the baseline as NodejsFunction bundles it (one file). Sizes count every file deployed; what
 * a cold start reads is said beside. Splitting also shortens the baseline's init (the SDK's credential providers
 * move to chunks), so the like-with-like rows say what wharf's own code costs with the bundling held equal.
 */
function coldStartTargets(c: ColdStartFigure): TargetCheck[] {
  const row = (variant: string, entry: string) =>
    c.rows.find((r) => r.variant === variant && r.entry === entry)!;
  const wharf = row(c.deployed.wharf, MINIMAL);
  const baseline = row(c.deployed.baseline, BASELINE);
  const initRatio = spread(wharf.initSamples.map((t, i) => t / baseline.initSamples[i]!));
  const sizeRatio = wharf.bytes / baseline.bytes;
  const deployed = `figure 4, minimal wharf worker (${c.deployed.wharf}) against the Powertools + middy handler (${c.deployed.baseline})`;
  const size = (max: number, issue: string): TargetCheck => ({
    target: `bundle size ≤ ${times(max)} the baseline, as deployed (${issue})`,
    measured: `${x(sizeRatio)} (${kb(wharf.bytes)} in ${wharf.files} files against ${kb(baseline.bytes)}; at init ${kb(wharf.initBytes)}, ${x(wharf.initBytes / baseline.initBytes)})`,
    met: sizeRatio <= max,
    basis: `${deployed}: every JavaScript file deployed`,
  });
  const init = (max: number, issue: string): TargetCheck => ({
    target: `init time ≤ ${times(max)} the baseline, as deployed (${issue})`,
    measured: `${x(initRatio.median)} [${x(initRatio.p10)}..${x(initRatio.p90)}] (${wharf.initMs.median.toFixed(1)} ms against ${baseline.initMs.median.toFixed(1)} ms)`,
    met: initRatio.median <= max,
    basis: `${deployed}: median of per-round ratios`,
  });
  const sameInit = (variant: string): TargetCheck => {
    const w = row(variant, MINIMAL);
    return {
      target: `init time ≤ 0.95× the baseline, both ${variant} (issue 10, like with like)`,
      measured: `${x(w.initRatio?.median ?? Number.NaN)} (${w.initMs.median.toFixed(1)} ms against ${row(variant, BASELINE).initMs.median.toFixed(1)} ms)`,
      met: (w.initRatio?.median ?? Number.POSITIVE_INFINITY) <= 0.95,
      basis: `figure 4, ${variant}, median of per-round ratios`,
    };
  };
  const split = row(c.deployed.wharf, MINIMAL);
  return [
    size(0.7, 'issue 7'),
    init(0.8, 'issue 7'),
    size(1.0, 'issue 10'),
    init(0.95, 'issue 10'),
    sameInit(c.deployed.wharf),
    sameInit(c.deployed.baseline),
    {
      target: `bundle size ≤ 1.0× the baseline, both ${c.deployed.wharf} (issue 10, like with like)`,
      measured: `${x(split.sizeRatio ?? Number.NaN)} (${kb(split.bytes)} against ${kb(row(c.deployed.wharf, BASELINE).bytes)}); at init ${x(split.initBytesRatio ?? Number.NaN)}`,
      met: (split.sizeRatio ?? Number.POSITIVE_INFINITY) <= 1,
      basis: `figure 4, ${c.deployed.wharf}: every JavaScript file, and the entry with its static chunks`,
    },
  ];
}

/** Issue 10: each entry point loads only its own SDK clients; the root entry, the app's API, loads none. */
function rootEntryTarget(e: EntryPointFigure): TargetCheck {
  const root = e.rows.find((row) => !row.specifier.includes('/'))!;
  const clients = root.pulls.filter((name) => name.startsWith('@aws-sdk/client-'));
  return {
    target: `\`${root.specifier}\` pulls in no AWS SDK client (issue 10)`,
    measured: clients.length === 0 ? 'none' : clients.join(', '),
    met: clients.length === 0,
    basis: 'figure 6, esbuild metafile of a bundle importing the whole root entry',
  };
}

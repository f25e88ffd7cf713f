import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { deadLetterUrlVariable, queueUrlVariable } from 'wharf-jobs/aws';
import { registry as exampleRegistry } from '../../functions/registry';
import { WORKER_BUILD_OPTIONS } from '../../src/cdk/worker-build-options';
import { bundleFacts } from '../bundle-facts';
import type { BenchConfig } from '../config';
import { type Spread, spread } from '../stats';

/** Figure 4: what a cold start loads. Sizes of the minified bundles and their module init time in a fresh Node. */
export interface ColdStartRow {
  readonly variant: string;
  readonly name: string;
  readonly entry: string;
  /** Every JavaScript file of the bundle (entry and chunks, source maps left out). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The entry file and the chunks it imports statically: what a cold start reads and parses. */
  readonly initBytes: number;
  readonly files: number;
  readonly initMs: Spread;
  /** Every init time, in round order: rounds interleave every bundle of every variant. */
  readonly initSamples: readonly number[];
  /** Against the baseline bundle of the same variant (the baseline's own row has none). */
  readonly sizeRatio?: number;
  readonly initBytesRatio?: number;
  /** Per-round ratio of init times to the same variant's baseline. */
  readonly initRatio?: Spread;
}

export interface ColdStartFigure {
  readonly settings: string;
  readonly runs: number;
  readonly variants: readonly string[];
  /** The variant each side deploys with by default: wharf's construct, and NodejsFunction for the baseline. */
  readonly deployed: { readonly wharf: string; readonly baseline: string };
  readonly rows: readonly ColdStartRow[];
}

interface Variant {
  readonly name: string;
  readonly options: BuildOptions;
}

/** One minified ESM file for Node 24: how figures 4 and 6 bundle, unless a row says otherwise. */
export const ONE_FILE_ESM: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'],
  legalComments: 'none',
};

// CommonJS dependencies inside an ESM bundle still call require(): the usual Lambda banner.
const SINGLE_FILE: BuildOptions = {
  ...ONE_FILE_ESM,
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
};

/**
 * One file: what NodejsFunction makes (it fixes --outfile), the baseline's deployment. Split: what the
 * WharfJobs construct deploys (src/cdk/worker-bundle.ts, the same options object): code reached only through
 * import() is in chunks read when first needed. SDK external: the SDK the nodejs24.x runtime provides, loaded
 * from node_modules at init, which leaves each library's own code in the bundle.
 */
const SINGLE = 'one file';
const SPLIT = 'split';
const VARIANTS: readonly Variant[] = [
  { name: SINGLE, options: SINGLE_FILE },
  { name: SPLIT, options: { ...WORKER_BUILD_OPTIONS, legalComments: 'none' } },
  { name: 'one file, SDK external', options: { ...SINGLE_FILE, external: ['@aws-sdk/*', '@smithy/*'] } },
];

interface Subject {
  readonly name: string;
  readonly entry: string;
  readonly env: Record<string, string>;
}

const ROOT = resolve(import.meta.dirname, '../..');
const SETTINGS =
  'esbuild: minify, ESM, platform node, target node24, the AWS SDK bundled unless said otherwise, the same ' +
  'options for every bundle of a variant (split = src/cdk/worker-build-options.ts, what the WharfJobs construct ' +
  'deploys; one file = what NodejsFunction deploys); ' +
  'init = time to import the entry (module scope: SDK clients, middy, the handler) in a fresh Node process; ' +
  'minified and gzip sizes count every file of the bundle, "at init" only the entry and the chunks it imports ' +
  'statically (a split bundle reads the rest when first needed: the SDK’s credential providers at the first ' +
  'request, and for wharf the SQS and Scheduler adapters and clients at the first retry, dead letter or long wait)';

// Module scope of each entry reads these; no request is made during init.
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/bench';
const SUBJECTS: readonly Subject[] = [
  {
    name: 'baseline: Powertools batch + idempotency + middy',
    entry: 'bench/baseline/entry.ts',
    env: { IDEMPOTENCY_TABLE_NAME: 'idempotency' },
  },
  {
    name: 'wharf: minimal worker (one exactly-once job)',
    entry: 'bench/wharf/entry.ts',
    env: { WHARF_QUEUE: 'default', WHARF_TABLE_NAME: 'jobs', ...queueEnv(['default']) },
  },
  {
    name: 'wharf: example app worker (functions/worker.ts, zod)',
    entry: 'functions/worker.ts',
    env: { WHARF_QUEUE: 'default', WHARF_TABLE_NAME: 'jobs', ...queueEnv(exampleRegistry.queues) },
  },
  { name: 'floor: the DynamoDB client alone', entry: 'bench/aws/sdk-floor-entry.ts', env: {} },
];

export async function coldStartFigure(config: BenchConfig): Promise<ColdStartFigure> {
  // Inside the project, so that the external variant's imports resolve to node_modules as the runtime's would.
  const cache = resolve(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'wharf-bench-'));
  try {
    const rows = await measure(dir, config.coldStart.runs);
    return {
      settings: SETTINGS,
      runs: config.coldStart.runs,
      variants: VARIANTS.map((v) => v.name),
      deployed: { wharf: SPLIT, baseline: SINGLE },
      rows,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Built {
  readonly variant: string;
  readonly subject: Subject;
  readonly file: string;
  readonly facts: Awaited<ReturnType<typeof bundleFacts>>;
}

async function measure(dir: string, runs: number): Promise<ColdStartRow[]> {
  const built: Built[] = [];
  for (const [v, variant] of VARIANTS.entries()) {
    for (const [s, subject] of SUBJECTS.entries()) {
      const outdir = join(dir, `${v}-${s}`);
      const facts = await bundleFacts(
        {
          ...variant.options,
          entryPoints: [resolve(ROOT, subject.entry)],
          entryNames: 'index',
          outExtension: { '.js': '.mjs' },
          absWorkingDir: ROOT,
          outdir,
        },
        true,
      );
      built.push({ variant: variant.name, subject, file: join(outdir, 'index.mjs'), facts });
    }
  }
  probe(built[0]!.file, built[0]!.subject.env); // the first Node start of a run is slower for everyone
  const times: number[][] = built.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [i, b] of built.entries()) times[i]!.push(probe(b.file, b.subject.env));
  }
  return built.map((b, i) => {
    const base = built.findIndex((o) => o.variant === b.variant);
    const baseline = built[base]!;
    return {
      variant: b.variant,
      name: b.subject.name,
      entry: b.subject.entry,
      bytes: b.facts.bytes,
      gzipBytes: b.facts.gzipBytes,
      initBytes: b.facts.initBytes,
      files: b.facts.files,
      initMs: spread(times[i]!),
      initSamples: times[i]!,
      ...(i === base
        ? {}
        : {
            sizeRatio: b.facts.bytes / baseline.facts.bytes,
            initBytesRatio: b.facts.initBytes / baseline.facts.initBytes,
            initRatio: spread(times[i]!.map((t, r) => t / times[base]![r]!)),
          }),
    };
  });
}

const PROBE = [
  'const t0 = performance.now();',
  'const m = await import(process.argv[1]);',
  'const ms = performance.now() - t0;',
  "if (typeof m.handler !== 'function') throw new Error('no handler export');",
  'process.stdout.write(String(ms));',
].join('\n');

/** Imports the bundle in a fresh Node process and returns the milliseconds the import took. */
function probe(file: string, env: Record<string, string>): number {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, pathToFileURL(file).href], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...env },
    encoding: 'utf8',
  });
  const ms = Number(out.stdout);
  if (out.status !== 0 || !Number.isFinite(ms))
    throw new Error(`init probe of ${file} failed: ${out.stderr}`);
  return ms;
}

function queueEnv(queues: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    queues.flatMap((q) => [
      [queueUrlVariable(q), `${QUEUE_URL}-${q}`],
      [deadLetterUrlVariable(q), `${QUEUE_URL}-${q}-dlq`],
    ]),
  );
}

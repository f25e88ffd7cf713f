import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { deadLetterUrlVariable, queueUrlVariable } from 'wharf-jobs/aws';
import { registry as exampleRegistry } from '../../functions/registry';
import type { BenchConfig } from '../config';
import { type Spread, spread } from '../stats';

/** Figure 4: what a cold start loads. Sizes of the minified bundles and their module init time in a fresh Node. */
export interface ColdStartRow {
  readonly variant: string;
  readonly name: string;
  readonly entry: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMs: Spread;
  /** Against the baseline bundle of the same variant (the baseline's own row has none). */
  readonly sizeRatio?: number;
  /** Per-round ratio of init times, the rounds interleaving every bundle. */
  readonly initRatio?: Spread;
}

export interface ColdStartFigure {
  readonly settings: string;
  readonly runs: number;
  /** The first variant (AWS SDK bundled) is the one the targets are judged on. */
  readonly variants: readonly string[];
  readonly rows: readonly ColdStartRow[];
}

interface Variant {
  readonly name: string;
  readonly external: readonly string[];
}

/**
 * Bundled: what AWS recommends and what both bundles are judged on. External: the SDK the nodejs24.x runtime
 * provides, loaded from node_modules at init, which leaves each library's own code in the bundle.
 */
const VARIANTS: readonly Variant[] = [
  { name: 'AWS SDK bundled', external: [] },
  { name: 'AWS SDK external', external: ['@aws-sdk/*', '@smithy/*'] },
];

interface Subject {
  readonly name: string;
  readonly entry: string;
  readonly env: Record<string, string>;
}

const ROOT = resolve(import.meta.dirname, '../..');
const SETTINGS =
  'esbuild: bundle, minify, ESM, platform node, target node24, the AWS SDK v3 bundled (or left external) in ' +
  'every bundle alike; init = time to import the bundle (module scope: SDK clients, middy, the handler) in a ' +
  'fresh Node process';

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
    const rows: ColdStartRow[] = [];
    for (const variant of VARIANTS) rows.push(...(await measureVariant(variant, dir, config.coldStart.runs)));
    return { settings: SETTINGS, runs: config.coldStart.runs, variants: VARIANTS.map((v) => v.name), rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureVariant(variant: Variant, dir: string, runs: number): Promise<ColdStartRow[]> {
  const files = await Promise.all(
    SUBJECTS.map((s, i) => bundle(s.entry, join(dir, `${variant.external.length}-${i}.mjs`), variant)),
  );
  probe(files[0]!, SUBJECTS[0]!.env); // the first Node start of a run is slower for everyone
  const times: number[][] = SUBJECTS.map(() => []);
  for (let r = 0; r < runs; r++) {
    SUBJECTS.forEach((subject, i) => {
      times[i]!.push(probe(files[i]!, subject.env));
    });
  }
  const sizes = files.map((file) => readFileSync(file));
  return SUBJECTS.map((subject, i) => ({
    variant: variant.name,
    name: subject.name,
    entry: subject.entry,
    bytes: sizes[i]!.length,
    gzipBytes: gzipSync(sizes[i]!).length,
    initMs: spread(times[i]!),
    ...(i === 0
      ? {}
      : {
          sizeRatio: sizes[i]!.length / sizes[0]!.length,
          initRatio: spread(times[i]!.map((t, r) => t / times[0]![r]!)),
        }),
  }));
}

async function bundle(entry: string, outfile: string, variant: Variant): Promise<string> {
  await build({
    external: [...variant.external],
    entryPoints: [resolve(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'error',
    // CommonJS dependencies inside an ESM bundle still call require(); the usual Lambda banner, in both bundles.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  });
  return outfile;
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

import { spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve, sep } from 'node:path';

/** The consumer test's tools: processes on a chosen Node, with none of the repository's tools on PATH. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE = join(import.meta.dirname, 'fixture');

interface Manifest {
  readonly exports: Readonly<Record<string, unknown>>;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
}

export const MANIFEST = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as Manifest;

export interface NodeRuntime {
  readonly name: string;
  readonly version: string;
  /** A folder holding only the `node` binary: it goes first on PATH. */
  readonly binDir: string;
}

// Node 22 is pinned exactly (`npm view node@22 version`), so the cache below stays valid; Node 24 is the
// repository's own devDependency. Both come from the npm `node` package, whose binary ships in registry packages.
const NODE_22 = '22.23.3';
const NODE_22_PREFIX = join(REPO_ROOT, 'node_modules/.cache/wharf-consumer/node22');

export const NODES: readonly NodeRuntime[] = [
  { name: 'Node 22', version: NODE_22, binDir: join(NODE_22_PREFIX, 'node_modules/node/bin') },
  {
    name: 'Node 24',
    version: MANIFEST.devDependencies.node ?? 'missing from devDependencies',
    binDir: join(REPO_ROOT, 'node_modules/node/bin'),
  },
];

/** The repository's Node 24, which runs npm itself (pack, installs). */
export const REPO_NODE = NODES[1]!;

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly node: NodeRuntime;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/**
 * The environment of a consumer's process: the chosen Node first on PATH and nothing of this repository (its
 * node_modules/.bin holds tsx, tsc, vitest...). npm_* variables go too: under `npm test` they carry this
 * repository's prefix and config, which would point a nested `npm install` back at us.
 */
export function consumerEnv(
  node: NodeRuntime,
  extra: Readonly<Record<string, string>> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_OPTIONS$|NODE_PATH$|TSX_)/i.test(key)) continue;
    env[key] = value;
  }
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && dir !== REPO_ROOT && !resolve(dir).startsWith(REPO_ROOT + sep));
  env.PATH = [node.binDir, ...path].join(delimiter);
  return { ...env, ...extra };
}

/** Runs a command to its end (never throws for a non-zero exit: the test judges), killed after `timeoutMs`. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: consumerEnv(options.node, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 240_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });
}

/** Like `run`, but a non-zero exit is an error that shows the command's output. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}, ${options.node.name}) exited ${result.code}\n` +
        `--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}

/** The last line of stdout that parses as JSON: fixture scripts print their findings that way. */
export function lastJson<T>(result: RunResult): T {
  const line = result.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON line in stdout:\n${result.stdout}\n--- stderr\n${result.stderr}`);
  return JSON.parse(line) as T;
}

/** Installs the pinned Node 22 once into node_modules/.cache (ignored by git); later runs reuse it. */
export async function ensureNode22(): Promise<void> {
  const node22 = NODES[0]!;
  if (existsSync(join(node22.binDir, 'node'))) {
    const probe = await run(join(node22.binDir, 'node'), ['--version'], { cwd: REPO_ROOT, node: node22 });
    if (probe.stdout.trim() === `v${node22.version}`) return;
  }
  mkdirSync(NODE_22_PREFIX, { recursive: true });
  // The `node` package's preinstall fetches the platform binary package from the registry: allow that script.
  writeFileSync(
    join(NODE_22_PREFIX, 'package.json'),
    JSON.stringify({ name: 'wharf-consumer-node22', private: true, allowScripts: { node: true } }),
  );
  await npmInstall(NODE_22_PREFIX, [`node@${node22.version}`]);
}

export function npmInstall(
  cwd: string,
  packages: readonly string[],
  flags: readonly string[] = [],
): Promise<RunResult> {
  return runOk(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-exact', ...flags, ...packages],
    {
      cwd,
      node: REPO_NODE,
      timeoutMs: 480_000,
    },
  );
}

export interface PackedTarball {
  readonly path: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly string[];
}

/** `npm pack` of this repository: prepack builds dist/ first (the only test that writes dist/). */
export async function packTarball(destination: string): Promise<PackedTarball> {
  const result = await runOk('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: REPO_ROOT,
    node: REPO_NODE,
    timeoutMs: 300_000,
  });
  // The build's own output may precede npm's JSON report on stdout: the report starts at a line "[".
  const start = result.stdout.search(/^\[/m);
  const report = JSON.parse(result.stdout.slice(Math.max(0, start))) as ReadonlyArray<{
    readonly filename: string;
    readonly size: number;
    readonly unpackedSize: number;
    readonly files: ReadonlyArray<{ readonly path: string }>;
  }>;
  const packed = report[0];
  if (!packed) throw new Error(`npm pack reported nothing:\n${result.stdout}`);
  return {
    path: join(destination, packed.filename),
    size: packed.size,
    unpackedSize: packed.unpackedSize,
    files: packed.files.map((f) => f.path),
  };
}

/** A fresh project: the fixture folders copied in, a package.json of its own, then one install. */
export async function createProject(
  dir: string,
  fixtures: readonly string[],
  packages: readonly string[],
  flags: readonly string[] = [],
): Promise<RunResult> {
  mkdirSync(dir, { recursive: true });
  for (const fixture of fixtures) cpSync(join(FIXTURE, fixture), dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) {
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'wharf-consumer', private: true, type: 'module' }),
    );
  }
  return npmInstall(dir, packages, flags);
}

/** What a folder holds: the files' bytes (what npm and package-size sites report) and the disk blocks (`du`). */
export function folderSize(dir: string): { readonly bytes: number; readonly diskBytes: number } {
  let bytes = 0;
  let diskBytes = 0;
  const walk = (path: string): void => {
    const stat = lstatSync(path);
    bytes += stat.isDirectory() ? 0 : stat.size;
    diskBytes += stat.blocks * 512;
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
  return { bytes, diskBytes };
}

/** The pinned version of a tool from our devDependencies, so consumers' installs are reproducible. */
export function pinned(name: string): string {
  const version = MANIFEST.devDependencies[name];
  if (!version) throw new Error(`${name} is not a devDependency of wharf-jobs`);
  return `${name}@${version}`;
}

/** `.` -> `wharf-jobs`, `./cdk` -> `wharf-jobs/cdk`. */
export function specifierOf(subpath: string): string {
  return subpath === '.' ? 'wharf-jobs' : `wharf-jobs/${subpath.slice(2)}`;
}

export const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Every folder under `dir` (nested node_modules included) with one of these names. */
export function findDirsNamed(dir: string, names: readonly string[]): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (names.includes(entry.name)) found.push(path);
    found.push(...findDirsNamed(path, names));
  }
  return found;
}

/** The variables WharfJobs gives a worker function of `queue`, with URLs no request is ever sent to. */
export function workerEnvironment(queue: string, queues: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {
    WHARF_QUEUE: queue,
    WHARF_TABLE_NAME: 'jobs',
    AWS_REGION: 'us-east-1',
  };
  for (const name of queues) {
    const suffix = name.toUpperCase().replaceAll('-', '_');
    env[`WHARF_QUEUE_URL_${suffix}`] = `https://sqs.invalid/${name}`;
    env[`WHARF_DLQ_URL_${suffix}`] = `https://sqs.invalid/${name}-dlq`;
  }
  return env;
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';

/** What one esbuild bundle contains and what of it a fresh process loads, read from its metafile. */
export interface BundleFacts {
  /** Every JavaScript file written (entry and chunks; source maps left out), minified. */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The entry file and the chunks it imports statically: what is read and parsed at init. */
  readonly initBytes: number;
  readonly files: number;
  /** Packages with code in the bundle (node_modules names), and those left external. */
  readonly packages: readonly string[];
  /** Packages with code in the files loaded at init. */
  readonly initPackages: readonly string[];
  readonly external: readonly string[];
}

/** The AWS SDK clients and the heavy packages the entry-point table and the dependency rules watch. */
export const WATCHED = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-scheduler',
  'aws-cdk-lib',
  'constructs',
  '@middy/core',
  'croner',
  'commander',
] as const;

/**
 * Bundles with `options` (metafile on) and reads the facts from the output and its metafile; `write` also puts
 * the files on disk (to be imported by a probe).
 */
export async function bundleFacts(options: BuildOptions, write = false): Promise<BundleFacts> {
  const result = await build({ ...options, write: false, metafile: true, logLevel: 'error' });
  if (write) {
    for (const file of result.outputFiles) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.contents);
    }
  }
  const meta = result.metafile;
  const js = result.outputFiles.filter((f) => /\.m?js$/.test(f.path));
  // With splitting, each import() target is an entry point of its own: find the one that was asked for.
  const wanted = entryInput(options);
  const entry = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === wanted);
  if (!entry) throw new Error(`esbuild wrote no output for the entry point ${wanted}`);
  const atInit = staticClosure(meta, entry[0]);
  const bytesOf = (path: string) => meta.outputs[path]?.bytes ?? 0;
  return {
    bytes: js.reduce((sum, f) => sum + f.contents.length, 0),
    gzipBytes: js.reduce((sum, f) => sum + gzipSync(f.contents).length, 0),
    initBytes: [...atInit].reduce((sum, path) => sum + bytesOf(path), 0),
    files: js.length,
    packages: packagesIn(meta, Object.keys(meta.outputs)),
    initPackages: packagesIn(meta, [...atInit]),
    external: externalPackages(meta),
  };
}

/** The entry point as the metafile names it: relative to the working directory, or stdin's `sourcefile`. */
function entryInput(options: BuildOptions): string {
  if (options.stdin) return options.stdin.sourcefile ?? '<stdin>';
  const points = options.entryPoints;
  const first = Array.isArray(points) ? points[0] : undefined;
  if (typeof first !== 'string') throw new Error('bundleFacts takes one entry point, as a path or stdin');
  return relative(options.absWorkingDir ?? process.cwd(), resolve(first))
    .split(sep)
    .join('/');
}

/** An output and every output it imports statically, transitively (dynamic imports are loaded later). */
function staticClosure(meta: Metafile, from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !meta.outputs[path]) return;
    seen.add(path);
    for (const i of meta.outputs[path]!.imports)
      if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(from);
  return seen;
}

function packagesIn(meta: Metafile, outputs: readonly string[]): string[] {
  const names = new Set<string>();
  for (const out of outputs) {
    for (const [input, use] of Object.entries(meta.outputs[out]?.inputs ?? {})) {
      const name = packageOf(input);
      if (name && use.bytesInOutput > 0) names.add(name);
    }
  }
  return [...names].sort();
}

function externalPackages(meta: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.values(meta.inputs)) {
    for (const i of input.imports) {
      if (!i.external || i.path.startsWith('node:') || builtinModules.includes(i.path)) continue;
      names.add(packageOf(`node_modules/${i.path}`) ?? i.path);
    }
  }
  return [...names].sort();
}

/** The package a path inside node_modules belongs to (the innermost node_modules wins). */
export function packageOf(path: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/(?!.*\/node_modules\/).*)?$/.exec(path);
  return match?.[1];
}

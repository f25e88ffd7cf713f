import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BundleFacts, bundleFacts, WATCHED } from '../bundle-facts';
import { ONE_FILE_ESM } from './cold-start';

/** Figure 6: what each entry point of the package costs a bundle that imports all of it. */
export interface EntryPointRow {
  /** `wharf-jobs` or `wharf-jobs/<subpath>`. */
  readonly specifier: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The watched packages (AWS SDK clients, heavy dependencies) with code in the bundle. */
  readonly pulls: readonly string[];
  /** Peers left external (aws-cdk-lib and constructs are never bundled). */
  readonly external: readonly string[];
}

export interface EntryPointFigure {
  readonly settings: string;
  readonly rows: readonly EntryPointRow[];
}

const ROOT = resolve(import.meta.dirname, '../..');
/** Peers a CDK app installs itself and never bundles into a function. */
const PEERS = ['aws-cdk-lib', 'constructs'];
const SETTINGS =
  'esbuild: bundle, minify, ESM, platform node, target node24, one file; the entry is `import * as m from ' +
  "'<specifier>'; console.log(Object.keys(m).length)`, so nothing the entry exports can be tree-shaken away; " +
  'aws-cdk-lib and constructs external (peers); in-repo wharf-jobs resolves to src through tsconfig paths';

/** Every subpath of package.json's exports, as a user imports it. */
export function exportedSpecifiers(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  return Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`));
}

/** The facts of a bundle importing everything `specifier` exports. */
export function entryPointFacts(specifier: string): Promise<BundleFacts> {
  return bundleFacts({
    stdin: {
      contents: `import * as m from '${specifier}';\nconsole.log(Object.keys(m).length);\n`,
      resolveDir: ROOT,
      sourcefile: 'entry-point.ts',
      loader: 'ts',
    },
    outfile: resolve(ROOT, 'node_modules/.cache/entry-point.mjs'),
    tsconfig: resolve(ROOT, 'tsconfig.json'),
    ...ONE_FILE_ESM,
    external: PEERS,
  });
}

export async function entryPointFigure(): Promise<EntryPointFigure> {
  const rows: EntryPointRow[] = [];
  for (const specifier of exportedSpecifiers()) {
    const facts = await entryPointFacts(specifier);
    rows.push({
      specifier,
      bytes: facts.bytes,
      gzipBytes: facts.gzipBytes,
      pulls: WATCHED.filter((name) => facts.packages.includes(name)),
      external: facts.external.filter((name) => PEERS.includes(name)),
    });
  }
  return { settings: SETTINGS, rows };
}

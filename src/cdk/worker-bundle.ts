import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { ConfigError } from '../errors.js';
import { WORKER_BUILD_OPTIONS } from './worker-build-options.js';

/** The part of esbuild's API this file uses (esbuild is the user's dev dependency, as for NodejsFunction). */
interface Esbuild {
  buildSync(options: Record<string, unknown>): { readonly errors: readonly unknown[] };
}

/**
 * The worker's code: the entry bundled by esbuild at synth into index.mjs, its chunks and source maps. NodejsFunction
 * bundles to a single file (its command line fixes `--outfile`), which cannot split, so the construct hands it
 * this code instead; like NodejsFunction, it runs the esbuild installed in the project, locally, and skips bundling
 * in stacks that `cdk deploy` was not asked to bundle.
 */
export function workerCode(entry: string, projectRoot: string | undefined): Code {
  const root = resolve(projectRoot ?? dirname(entry));
  return Code.fromAsset(root, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never used: local bundling always succeeds or throws (no Docker on the machines this must run on).
      image: DockerImage.fromRegistry('wharf-local-bundling-only'),
      local: {
        tryBundle(outputDir: string): boolean {
          const result = loadEsbuild(root).buildSync({
            ...WORKER_BUILD_OPTIONS,
            entryPoints: [resolve(entry)],
            outdir: outputDir,
            absWorkingDir: root,
            sourcemap: true,
            logLevel: 'warning',
          });
          return result.errors.length === 0;
        },
      },
    },
  });
}

function loadEsbuild(projectRoot: string): Esbuild {
  for (const from of [join(projectRoot, 'package.json'), import.meta.url]) {
    try {
      return createRequire(from)('esbuild') as Esbuild;
    } catch {
      // try the next place
    }
  }
  throw new ConfigError(
    'wharf-jobs/cdk bundles worker functions with esbuild, which is not installed: npm install --save-dev esbuild',
  );
}

import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles soak/worker.ts into one file for Node 24. A run starts a worker for every kill, and a bundled worker
 * starts on a quarter of the CPU that tsx needs to compile the sources each time (0.1 s against 0.4 s): on a
 * shared two-core machine that is CPU left for moto, the run's bottleneck. Not minified, so stacks stay readable.
 */
export async function bundleWorker(outDir: string): Promise<string> {
  const outfile = join(outDir, 'worker.mjs');
  await build({
    entryPoints: [resolve(import.meta.dirname, 'worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return outfile;
}

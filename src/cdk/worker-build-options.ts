// ESM output keeps ESM-only dependencies (middy 7) working; the banner gives bundled CommonJS code its `require`
// (every chunk is a module of its own, so each gets it).
const ESM_REQUIRE_BANNER =
  "import { createRequire as __wharfCreateRequire } from 'node:module'; const require = __wharfCreateRequire(import.meta.url);";

/** The esbuild options a worker is bundled with: also what the benchmark's cold-start figure builds. */
export const WORKER_BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  mainFields: ['module', 'main'] as string[],
  // Bundle the pinned AWS SDK rather than the runtime's, so the worker runs the version the tests ran.
  external: [] as string[],
  banner: { js: ESM_REQUIRE_BANNER },
  /*
   * Code splitting: what a worker reaches only through import() (the SQS and Scheduler adapters and clients,
   * croner, and the SDK's own credential providers) becomes chunks that Node reads from the function's
   * directory when first needed, instead of code parsed at every cold start. The entry stays index.mjs.
   */
  splitting: true,
  entryNames: 'index',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
} as const;

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { WharfJobs } from 'wharf-jobs/cdk';
import { lintAssemblyLater } from '../helpers/templates-to-lint';
import { FIXTURE_WORKER, registryOf } from './fixtures';

describe('WharfJobs worker bundling', () => {
  it('bundles the worker entry with the local esbuild, as minified ESM with a source map', () => {
    // The one test that bundles for real (others skip it): no Docker on this machine, so this proves the local path.
    const app = new App();
    const stack = new Stack(app, 'Bundled');
    const jobs = new WharfJobs(stack, 'Jobs', {
      registry: registryOf({ name: 'only' }),
      workerEntry: FIXTURE_WORKER,
    });
    const assembly = app.synth();
    lintAssemblyLater(assembly.directory);
    const template = assembly.getStackByName('Bundled').template;
    const worker = template.Resources[stack.getLogicalId(jobs.workers.default!.node.defaultChild as never)];
    const assetHash = String(worker.Properties.Code.S3Key).replace(/\.zip$/, '');
    const bundle = join(assembly.directory, `asset.${assetHash}`);
    const code = readFileSync(join(bundle, 'index.mjs'), 'utf8');
    expect(worker.Properties.Handler).toBe('index.handler');
    expect(existsSync(join(bundle, 'index.mjs.map'))).toBe(true);
    expect(code).toContain('sourceMappingURL=index.mjs.map');
    expect(code).toMatch(/export\s*\{/);
    // Minified: the fixture's comment is gone and the code fits on a few lines.
    expect(code).not.toContain('stand-in worker entry');
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(3);
  }, 60_000);
});

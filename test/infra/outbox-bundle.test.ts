import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { relayEntry } from '../../src/cdk/outbox';
import { workerCode } from '../../src/cdk/worker-bundle';
import { lintAssemblyLater } from '../helpers/templates-to-lint';

describe('the outbox relay bundle', () => {
  it("bundles the package's relay entry with the local esbuild, and the bundle runs a batch on Node", async () => {
    // Bundled for real (the other infra tests skip bundling), with the code the construct gives the relay.
    const app = new App();
    const stack = new Stack(app, 'RelayBundle');
    const fn = new LambdaFunction(stack, 'Relay', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: workerCode(relayEntry(), undefined),
    });
    const assembly = app.synth();
    lintAssemblyLater(assembly.directory);
    const template = assembly.getStackByName('RelayBundle').template;
    const resource = template.Resources[stack.getLogicalId(fn.node.defaultChild as never)];
    const hash = String(resource.Properties.Code.S3Key).replace(/\.zip$/, '');
    const entry = join(assembly.directory, `asset.${hash}`, 'index.mjs');
    expect(existsSync(entry)).toBe(true);
    // What the construct sets on the function; no request is made for an empty batch.
    const saved = { ...process.env };
    Object.assign(process.env, {
      WHARF_TABLE_NAME: 'jobs',
      WHARF_QUEUE_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default',
      WHARF_DLQ_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default-dlq',
    });
    try {
      const { handler } = (await import(pathToFileURL(entry).href)) as {
        handler: (event: unknown) => Promise<unknown>;
      };
      await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
      await expect(handler({ not: 'a stream event' })).rejects.toMatchObject({ code: 'WHARF_INVALID_EVENT' });
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    }
  }, 120_000);
});

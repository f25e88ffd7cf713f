import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { registry } from '../functions/registry';
import { ExampleStack } from './example-stack';

// Env-agnostic on purpose: `cdk synth` needs no account lookups and works offline on a fresh clone.
const app = new App();
new ExampleStack(app, 'WharfExample', {
  registry,
  workerEntry: resolve(import.meta.dirname, '../functions/worker.ts'),
});
app.synth();

import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { registry } from '../functions/registry';
import { emulatorOverrides } from './emulator-context';
import { ExampleStack } from './example-stack';

// Env-agnostic on purpose: `cdk synth` needs no account lookups and works offline on a fresh clone.
const app = new App();
new ExampleStack(app, 'WharfExample', {
  registry,
  workerEntry: resolve(import.meta.dirname, '../functions/worker.ts'),
  // Nothing unless `-c wharf:emulator=ministack`: the production defaults (everything stateful retained) stay.
  ...emulatorOverrides(app.node.tryGetContext('wharf:emulator')),
});
app.synth();

import { fullyConfigured } from '../infra/fixtures';

// The suite's fully configured fixture (customer managed key, encrypted alarm topic, FIFO queue, process worker) as
// a CDK app, for the checkov review of infra/README.md: `npx cdk synth --app 'npx tsx test/lint/fully-configured-app.ts'`.
fullyConfigured().app.synth();

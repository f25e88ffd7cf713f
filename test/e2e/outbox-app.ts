import { resolve } from 'node:path';
import { App, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { WharfJobs } from '../../src/cdk/index';
import { outboxRegistry } from './outbox-jobs';

// The outbox end-to-end app (test/e2e/outbox-stack.test.ts): a WharfJobs with `outbox: true` (the job table's
// stream, the relay bundled from the package's own entry, its event source mapping) and the app's own orders
// table, which the test's transactions write beside the outbox entries. Deployed with `cdk deploy --app`.
const app = new App();
const stack = new Stack(app, 'WharfOutbox', { description: 'wharf e2e: enqueue after commit' });
const jobs = new WharfJobs(stack, 'Jobs', {
  registry: outboxRegistry,
  workerEntry: resolve(import.meta.dirname, 'outbox-worker.ts'),
  projectRoot: resolve(import.meta.dirname, '../..'),
  removalPolicy: RemovalPolicy.DESTROY,
  outbox: true,
  // ministack creates alarms on one metric only (infra/emulator-context.ts): no metric-math alarm.
  alarms: { newDeadLetters: { enabled: false }, deadLetterRate: { enabled: false } },
});
const orders = new Table(stack, 'Orders', {
  partitionKey: { name: 'pk', type: AttributeType.STRING },
  billingMode: BillingMode.PAY_PER_REQUEST,
  removalPolicy: RemovalPolicy.DESTROY,
});
new CfnOutput(stack, 'OrdersTableName', { value: orders.tableName });
new CfnOutput(stack, 'RelayFunctionName', { value: jobs.outbox!.relay.functionName });

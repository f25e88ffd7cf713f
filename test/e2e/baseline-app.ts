import { resolve } from 'node:path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { WORKER_BUILD_OPTIONS } from '../../src/cdk/worker-build-options';

// The peer the end-to-end test compares latency with, deployed beside the example stack on the same emulator:
// a queue, the Powertools + middy handler as its worker (same runtime, memory, batch size and partial batch
// responses as ours), and Powertools' idempotency table. Deployed with `cdk deploy --app`; the CLI synthesizes
// the app when the process exits (App's autoSynth under the CLI), and test/e2e/cdk-cli.ts queues the assembly
// for cfn-lint (lintAssemblyLater).
const app = new App();
const stack = new Stack(app, 'WharfBaseline', { description: 'wharf e2e: the Powertools + middy peer' });
const table = new Table(stack, 'Idempotency', {
  partitionKey: { name: 'id', type: AttributeType.STRING },
  billingMode: BillingMode.PAY_PER_REQUEST,
  timeToLiveAttribute: 'expiration',
  removalPolicy: RemovalPolicy.DESTROY,
});
const deadLetterQueue = new Queue(stack, 'DeadLetterQueue', {
  retentionPeriod: Duration.days(14),
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});
const queue = new Queue(stack, 'Queue', {
  visibilityTimeout: Duration.seconds(120),
  deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 10 },
  enforceSSL: true,
  removalPolicy: RemovalPolicy.DESTROY,
});
const worker = new NodejsFunction(stack, 'Worker', {
  entry: resolve(import.meta.dirname, 'baseline-worker.ts'),
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  memorySize: 1024,
  timeout: Duration.seconds(20),
  environment: { IDEMPOTENCY_TABLE_NAME: table.tableName },
  // Bundled like our workers (ESM, the pinned AWS SDK inside, `require` for bundled CommonJS): an emulator has no
  // SDK of its runtime to lend, and the comparison should not hinge on the bundle.
  bundling: {
    format: OutputFormat.ESM,
    minify: true,
    sourceMap: true,
    target: 'node24',
    mainFields: [...WORKER_BUILD_OPTIONS.mainFields],
    banner: WORKER_BUILD_OPTIONS.banner.js,
    externalModules: [],
  },
});
table.grantReadWriteData(worker);
worker.addEventSource(
  new SqsEventSource(queue, { batchSize: 10, maxConcurrency: 20, reportBatchItemFailures: true }),
);
new CfnOutput(stack, 'QueueUrl', { value: queue.queueUrl });
new CfnOutput(stack, 'FunctionName', { value: worker.functionName });

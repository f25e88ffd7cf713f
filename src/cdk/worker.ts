import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, type Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV_VARIABLES } from '../config/env-config.js';
import type { QueueSettings } from './queue-settings.js';
import { workerCode } from './worker-bundle.js';

export interface WorkerInput {
  readonly settings: QueueSettings;
  readonly queue: IQueue;
  readonly entry: string;
  readonly projectRoot?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly tracing: Tracing;
}

/**
 * The Lambda worker of one queue: the generic entry, told which queue it serves by `WHARF_QUEUE`. Not
 * `createWorker`: that is the long-running poller of wharf-jobs/worker.
 */
export function addWorkerFunction(scope: Construct, input: WorkerInput): NodejsFunction {
  const { settings } = input;
  const worker = settings.worker!;
  // An explicit log group instead of `logRetention`: no custom resource, and the role writes only to this group.
  const logGroup = new LogGroup(scope, 'WorkerLogGroup', {
    retention: input.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new Role(scope, 'WorkerRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `wharf worker of queue ${settings.queue}`,
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const fn = new NodejsFunction(scope, 'Worker', {
    handler: 'index.handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: settings.workerMemorySize,
    timeout: Duration.seconds(worker.timeoutSeconds),
    reservedConcurrentExecutions: worker.reservedConcurrency,
    tracing: input.tracing,
    logGroup,
    role,
    environment: {
      ...input.environment,
      [ENV_VARIABLES.workerQueue]: settings.queue,
      NODE_OPTIONS: '--enable-source-maps',
    },
    // Bundled with code splitting (worker-bundle.ts): NodejsFunction's own bundling makes a single file.
    code: workerCode(input.entry, input.projectRoot),
  });
  fn.addEventSource(
    new SqsEventSource(input.queue, {
      batchSize: worker.batchSize,
      maxBatchingWindow:
        worker.maxBatchingWindowSeconds > 0 ? Duration.seconds(worker.maxBatchingWindowSeconds) : undefined,
      maxConcurrency: worker.maxConcurrency,
      reportBatchItemFailures: true,
    }),
  );
  return fn;
}

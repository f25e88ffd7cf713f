import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, type Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV_VARIABLES } from '../config/env-config.js';
import { type LaneQueues, laneShares } from './lanes.js';
import type { QueueSettings } from './queue-settings.js';
import type { WharfQueueOptions } from './wharf-jobs-props.js';
import { workerCode } from './worker-bundle.js';

export interface WorkerInput {
  readonly settings: QueueSettings;
  readonly queue: IQueue;
  /** The queue's lanes but the default one (which is `queue`). */
  readonly lanes?: readonly LaneQueues[];
  readonly entry: string;
  readonly projectRoot?: string;
  /** The WHARF_* variables; the worker adds WHARF_QUEUE, and `options.environment` below them. */
  readonly environment: Readonly<Record<string, string>>;
  readonly options: WharfQueueOptions;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly logEncryptionKey?: IKey;
  readonly tracing: Tracing;
}

/**
 * The Lambda worker of one queue: the generic entry, told which queue it serves by `WHARF_QUEUE`. Not
 * `createWorker`: that is the long-running poller of wharf-jobs/worker.
 */
export function addWorkerFunction(scope: Construct, input: WorkerInput): NodejsFunction {
  const { settings, options } = input;
  const worker = settings.worker!;
  // An explicit log group instead of `logRetention`: no custom resource, and the role writes only to this group.
  // Retained by default: a job's logs are what explains a dead letter that outlived the stack.
  const logGroup = new LogGroup(scope, 'WorkerLogGroup', {
    retention: options.logRetention ?? input.logRetention,
    removalPolicy: input.logRemovalPolicy,
    encryptionKey: input.logEncryptionKey,
  });
  const role = new Role(scope, 'WorkerRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `wharf worker of queue ${settings.queue}`,
  });
  // In a VPC, Lambda creates network interfaces with the function's role: AWS's managed policy for exactly that.
  if (options.vpc) {
    role.addManagedPolicy(
      ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
    );
  }
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const fn = new NodejsFunction(scope, 'Worker', {
    handler: 'index.handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: options.workerArchitecture ?? Architecture.ARM_64,
    memorySize: settings.workerMemorySize,
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    securityGroups: options.securityGroups ? [...options.securityGroups] : undefined,
    layers: options.layers ? [...options.layers] : undefined,
    timeout: Duration.seconds(worker.timeoutSeconds),
    reservedConcurrentExecutions: worker.reservedConcurrency,
    tracing: input.tracing,
    logGroup,
    role,
    environment: {
      NODE_OPTIONS: '--enable-source-maps',
      ...options.environment,
      // Last, so a user's variable cannot point the worker at another queue or table.
      ...input.environment,
      [ENV_VARIABLES.workerQueue]: settings.queue,
    },
    // Bundled with code splitting (worker-bundle.ts): NodejsFunction's own bundling makes a single file.
    code: workerCode(input.entry, input.projectRoot),
  });
  // With lanes, one event source mapping per lane, each capped at its share of the queue's concurrency by weight
  // (lanes.ts checks every share is at least 2). A cap, not a scheduler: Lambda does not lend an idle lane's share.
  const shares =
    settings.lanes && worker.maxConcurrency ? laneShares(worker.maxConcurrency, settings.lanes) : undefined;
  const sources = [
    { queue: input.queue, lane: settings.lanes?.defaultLane },
    ...(input.lanes ?? []).map((l) => ({ queue: l.queue as IQueue, lane: l.lane })),
  ];
  for (const source of sources) {
    fn.addEventSource(
      new SqsEventSource(source.queue, {
        batchSize: worker.batchSize,
        maxBatchingWindow:
          worker.maxBatchingWindowSeconds > 0 ? Duration.seconds(worker.maxBatchingWindowSeconds) : undefined,
        maxConcurrency: shares && source.lane !== undefined ? shares.get(source.lane) : worker.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
  return fn;
}

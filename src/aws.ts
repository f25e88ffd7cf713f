// wharf/aws: the AWS adapters and the runtime built from the environment. Imports the AWS SDK clients.

export type { AwsRuntime, AwsRuntimeOptions } from './runtime/aws-runtime';
export { createAwsRuntime } from './runtime/aws-runtime';
export type { LambdaFromEnvOptions } from './runtime/lambda-from-env';
export { createLambdaWorkerFromEnv } from './runtime/lambda-from-env';
export type { WorkerFromEnvOptions } from './runtime/worker-from-env';
export { createWorkerFromEnv } from './runtime/worker-from-env';
export type { EventBridgeSchedulerOptions } from './schedule/eventbridge/eventbridge-scheduler';
export { createEventBridgeScheduler } from './schedule/eventbridge/eventbridge-scheduler';
export type { DynamoJobStoreOptions } from './store/dynamodb';
export { createDynamoJobStore, createJobTable, JOB_TABLE_SCHEMA } from './store/dynamodb';
export type { SqsTransport, SqsTransportOptions } from './transport/sqs';
export { createSqsTransport } from './transport/sqs';

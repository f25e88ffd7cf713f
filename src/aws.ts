// `wharf-jobs/aws`: the AWS adapters (SQS transport, DynamoDB store, EventBridge Scheduler) and the runtime built
// from the environment contract the CDK construct sets. Imports the AWS SDK clients.

export type { QueueUrls, SchedulerConfig, WharfConfig } from './config/env-config.js';
export {
  configFromEnv,
  deadLetterArnVariable,
  deadLetterUrlVariable,
  queueArnVariable,
  queueUrlVariable,
} from './config/env-config.js';
export type { AwsClients } from './runtime/aws-clients.js';
export type { AwsRuntime, AwsRuntimeOptions } from './runtime/aws-runtime.js';
export { createAwsRuntime } from './runtime/aws-runtime.js';
export type { EventBridgeSchedulerOptions } from './schedule/eventbridge/eventbridge-scheduler.js';
export { createEventBridgeScheduler } from './schedule/eventbridge/eventbridge-scheduler.js';
export type { DynamoJobStoreOptions } from './store/dynamodb/index.js';
export { createDynamoJobStore, createJobTable, JOB_TABLE_SCHEMA } from './store/dynamodb/index.js';
export type { SqsTransport, SqsTransportOptions } from './transport/sqs/index.js';
export { createSqsTransport } from './transport/sqs/index.js';

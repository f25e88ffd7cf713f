export type { OutboxRelayEvent, OutboxRelayOptions } from '../outbox/relay.js';
export type { OutboxRelayHandler } from '../outbox/relay-handler.js';
export { createOutboxRelay } from '../outbox/relay-handler.js';
export type { LambdaFromEnvOptions } from '../runtime/lambda-from-env.js';
export { createLambdaWorkerFromEnv, lambdaWorkerOptionsFromEnv } from '../runtime/lambda-from-env.js';
export type { ObservabilityOptions } from '../runtime/observability-from-env.js';
export type { OutboxRelayFromEnvOptions } from '../runtime/outbox-relay-from-env.js';
export { createOutboxRelayFromEnv } from '../runtime/outbox-relay-from-env.js';
export type { LambdaWorkerOptions } from './lambda-handler.js';
export { createBatchHandler, createLambdaHandler, runJobs } from './lambda-handler.js';
export type {
  LambdaWorkerHandler,
  SqsBatchHandler,
  SqsBatchMiddleware,
  SqsBatchRequest,
} from './middleware-types.js';
export type { BatchOptions } from './process-batch.js';
export { processBatch } from './process-batch.js';

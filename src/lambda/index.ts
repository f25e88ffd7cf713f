export type { LambdaFromEnvOptions } from '../runtime/lambda-from-env.js';
export { createLambdaWorkerFromEnv } from '../runtime/lambda-from-env.js';
export type { LambdaWorkerHandler, LambdaWorkerOptions } from './lambda-handler.js';
export { createLambdaHandler } from './lambda-handler.js';
export type { BatchOptions } from './process-batch.js';
export { processBatch } from './process-batch.js';

export { createLambdaHandler } from './lambda-handler';
export type { LambdaWorkerHandler, LambdaWorkerOptions } from './lambda-handler';
export { processBatch } from './process-batch';
export type { BatchOptions } from './process-batch';

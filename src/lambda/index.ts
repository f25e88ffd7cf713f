export type { LambdaWorkerHandler, LambdaWorkerOptions } from './lambda-handler';
export { createLambdaHandler } from './lambda-handler';
export type { BatchOptions } from './process-batch';
export { processBatch } from './process-batch';

import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

// The middy shapes wharf-jobs/lambda shows users, spelled out here instead of imported from @middy/core: its
// index.d.ts imports an optional peer (@aws/durable-execution-sdk-js), so loading it fails a consumer's
// `skipLibCheck: false`. These are structurally what middy passes and takes: a middy MiddlewareObj for an SQS
// batch fits `.use()` below, and `runJobs()` fits a middy chain's `.use()`.

/** What middy hands each middleware of an SQS batch invocation. */
export interface SqsBatchRequest {
  event: SQSEvent;
  context: Context;
  response: SQSBatchResponse | null | undefined;
  error: Error | null | undefined;
  internal: Record<string, unknown>;
}

/** A middy middleware for an SQS batch: `before`, `after` and `onError`, each optional. */
export interface SqsBatchMiddleware {
  before?(request: SqsBatchRequest): unknown;
  after?(request: SqsBatchRequest): unknown;
  onError?(request: SqsBatchRequest): unknown;
  name?: string;
}

/** A Lambda handler for an SQS event source with ReportBatchItemFailures. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The worker function: a middy handler. Add your own middlewares with `.use(...)`; they run around the batch. */
export interface LambdaWorkerHandler extends SqsBatchHandler {
  use(middlewares: SqsBatchMiddleware | readonly SqsBatchMiddleware[]): LambdaWorkerHandler;
}

import { createLambdaWorkerFromEnv } from '../../src/runtime/lambda-from-env';
import { outboxRegistry } from './outbox-jobs';

/** The worker of the outbox end-to-end app (test/e2e/outbox-app.ts). */
export const handler = createLambdaWorkerFromEnv({ registry: outboxRegistry });

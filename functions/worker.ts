import { createLambdaWorkerFromEnv } from 'wharf-jobs/lambda';
import { registry } from './registry';
import { reportError } from './report-error';

/**
 * The example app's worker: one function per queue, told which by WHARF_QUEUE (the CDK construct sets it).
 * Built once per module; every invocation reuses the clients.
 */
export const handler = createLambdaWorkerFromEnv({ registry, reportError });

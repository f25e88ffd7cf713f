import { createLambdaWorkerFromEnv } from 'wharf-jobs/lambda';
import { noopJobs } from './jobs';

/**
 * The smallest wharf worker, twin of bench/baseline/entry.ts for the cold-start figure: one exactly-once no-op
 * job (state in DynamoDB), configured from the variables the CDK construct sets.
 */
export const handler = createLambdaWorkerFromEnv({ registry: noopJobs('exactly-once').registry });

// The `wharf/cdk` entry point. It needs aws-cdk-lib and constructs (peer dependencies) and nothing else, so the
// cdk-nag pack (infra/wharf-nag-pack.ts) is not re-exported here.
export type { QueueAlarms } from './alarms';
export { JOB_TABLE_SCHEMA } from './job-table-schema';
export { WharfJobs, type WharfProducer } from './wharf-jobs';
export type { WharfJobsProps, WharfQueueOptions } from './wharf-jobs-props';

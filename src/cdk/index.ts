// The `wharf-jobs/cdk` entry point. It needs aws-cdk-lib and constructs (peer dependencies) and nothing else, so the
// cdk-nag pack (infra/wharf-nag-pack.ts) is not re-exported here.
export type { QueueAlarms, ScheduleAlarms } from './alarms.js';
export type { JobAlarms } from './job-alarms.js';
export { JOB_TABLE_SCHEMA } from './job-table-schema.js';
export type { WharfOutbox } from './outbox.js';
export { WharfJobs, type WharfProducer } from './wharf-jobs.js';
export type {
  WharfAlarmSettings,
  WharfAlarms,
  WharfDeadLetterRateAlarms,
  WharfDeadLetterRateSettings,
  WharfJobsProps,
  WharfObservability,
  WharfQueueOptions,
  WharfRemovalPolicies,
} from './wharf-jobs-props.js';

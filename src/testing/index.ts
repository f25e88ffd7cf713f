// `wharf-jobs/testing`: helpers for users' own unit tests. No AWS, no test-framework import: assertions throw Error
// subclasses, so they work under vitest, jest and node:test alike.

export type { TestJobs, TestModeOptions } from './enable-test-mode.js';
export { enableTestMode } from './enable-test-mode.js';
export { EnqueuedJobFailedError, JobAssertionError, MaxJobsExceededError } from './errors.js';
export type { JobRun, ResumeOptions, RunJobOptions } from './run-job.js';
export { runJob } from './run-job.js';
export type {
  AnyJob,
  AssertEnqueuedOptions,
  CapturedJob,
  DeepPartial,
  EnqueuedMatchOptions,
  JobRunResult,
  NotRunOutcome,
  PerformEnqueuedOptions,
  PerformedJob,
  PerformSummary,
} from './types.js';

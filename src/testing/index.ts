// `wharf/testing`: helpers for users' own unit tests. No AWS, no test-framework import: assertions throw Error
// subclasses, so they work under vitest, jest and node:test alike.

export type { TestJobs, TestModeOptions } from './enable-test-mode';
export { enableTestMode } from './enable-test-mode';
export { EnqueuedJobFailedError, JobAssertionError, MaxJobsExceededError } from './errors';
export type { RunJobOptions } from './run-job';
export { runJob } from './run-job';
export type {
  AnyJob,
  AssertEnqueuedOptions,
  CapturedJob,
  DeepPartial,
  EnqueuedMatchOptions,
  JobRunResult,
  PerformEnqueuedOptions,
  PerformedJob,
  PerformSummary,
} from './types';

import { failChange, releaseChange, stepChange, succeedChange, suspendChange } from '../record-change.js';
import type { JobStore } from '../types.js';
import type { DynamoDBClient } from './dynamodb-api.js';
import { createDynamoBatches } from './dynamodb-batches.js';
import { claimJob } from './dynamodb-claim.js';
import { createDynamoEnqueueControl } from './dynamodb-enqueue-control.js';
import { createDynamoFlowControl } from './dynamodb-flow-control.js';
import { listJobs } from './dynamodb-list.js';
import { extendLease, getJob, recordProgress, writeAsRun } from './dynamodb-writes.js';

export interface DynamoJobStoreOptions {
  /** Built once per module by the caller, with its region, endpoint and retry settings. */
  readonly client: DynamoDBClient;
  /** A table laid out as JOB_TABLE_SCHEMA describes (the CDK construct or createJobTable makes one). */
  readonly tableName: string;
}

/**
 * The JobStore on DynamoDB. Every state change is one conditional write; a failed condition returns the current
 * item (ReturnValuesOnConditionCheckFailure) instead of costing a read. Only ConditionalCheckFailed is
 * translated (into claim answers or LeaseLostError); every other SDK error is rethrown as it is.
 */
export function createDynamoJobStore(options: DynamoJobStoreOptions): JobStore {
  const ctx = { client: options.client, tableName: options.tableName };
  return {
    claim: (input) => claimJob(ctx, input),
    succeed: (input) => writeAsRun(ctx, input.jobId, input.fence, succeedChange(input), 'succeeded'),
    fail: (input) => writeAsRun(ctx, input.jobId, input.fence, failChange(input), input.status),
    release: (ref) => writeAsRun(ctx, ref.jobId, ref.fence, releaseChange(ref.attempt, ref.nowMs), 'queued'),
    completeStep: (input) => writeAsRun(ctx, input.jobId, input.fence, stepChange(input)),
    suspend: (input) => writeAsRun(ctx, input.jobId, input.fence, suspendChange(input), 'queued'),
    extendLease: (ref) => extendLease(ctx, ref),
    progress: (jobId, progress, nowMs) => recordProgress(ctx, jobId, progress, nowMs),
    get: (jobId, nowMs) => getJob(ctx, jobId, nowMs),
    list: (query, nowMs) => listJobs(ctx, query, nowMs),
    ...createDynamoFlowControl(ctx),
    ...createDynamoEnqueueControl(ctx),
    ...createDynamoBatches(ctx),
  };
}

export { createJobTable } from './create-job-table';
export type { DynamoJobStoreOptions } from './dynamodb-store';
export { createDynamoJobStore } from './dynamodb-store';
export { JOB_TABLE_SCHEMA } from './table-schema';

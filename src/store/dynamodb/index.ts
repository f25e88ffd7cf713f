export { createJobTable } from './create-job-table.js';
export type { DynamoJobStoreOptions } from './dynamodb-store.js';
export { createDynamoJobStore } from './dynamodb-store.js';
export { JOB_TABLE_SCHEMA } from './table-schema.js';

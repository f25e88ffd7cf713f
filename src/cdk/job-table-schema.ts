/**
 * The job table's layout is owned by the DynamoDB store; the construct imports it through this one file so the
 * table it creates and the table the store writes cannot disagree. The module imports no AWS SDK.
 */
export { JOB_TABLE_SCHEMA } from '../store/dynamodb/table-schema.js';

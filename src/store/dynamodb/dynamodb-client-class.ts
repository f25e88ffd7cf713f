// The client class alone, for the composition root's import() (src/runtime/aws-clients.ts): a dynamic import
// keeps every export of the module it names, so it names this one-export module, and the rest of dynamodb-api.ts
// (commands, waiters a caller never uses) can still be tree-shaken from a bundle.
export { DynamoDBClient } from './dynamodb-api.js';

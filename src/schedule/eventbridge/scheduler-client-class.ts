// The client class alone, for the composition root's import() (src/runtime/aws-clients.ts): a dynamic import
// keeps every export of the module it names, so it names this one-export module, and the rest of scheduler-api.ts
// (commands, waiters a caller never uses) can still be tree-shaken from a bundle.
export { SchedulerClient } from './scheduler-api.js';

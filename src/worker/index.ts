export { createWorker } from './worker';
export type { Worker, WorkerOptions } from './worker';

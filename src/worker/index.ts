export type { Worker, WorkerOptions } from './worker';
export { createWorker } from './worker';

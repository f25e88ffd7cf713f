export type { RunUntilSignalOptions } from './run-until-signal';
export { runUntilSignal } from './run-until-signal';
export type { Worker, WorkerOptions } from './worker';
export { createWorker } from './worker';

export type { ObservabilityOptions } from '../runtime/observability-from-env.js';
export type { WorkerFromEnvOptions } from '../runtime/worker-from-env.js';
export { createWorkerFromEnv } from '../runtime/worker-from-env.js';
export type { RunUntilSignalOptions } from './run-until-signal.js';
export { runUntilSignal } from './run-until-signal.js';
export type { Worker, WorkerOptions } from './worker.js';
export { createWorker } from './worker.js';

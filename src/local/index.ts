export type {
  MemoryScheduler,
  MemorySchedulerOptions,
  ScheduleFiring,
} from '../schedule/memory-scheduler.js';
export { createMemoryScheduler } from '../schedule/memory-scheduler.js';
export { createMemoryJobStore } from '../store/memory-store.js';
export type {
  InjectedSendFailure,
  MemoryTransport,
  MemoryTransportOptions,
  PeekedMessage,
  QueueStats,
  RedrivenMessage,
} from '../transport/memory/index.js';
export { createMemoryTransport } from '../transport/memory/index.js';
export { createFastForwardClock } from './fast-forward-clock.js';
export type { LocalEngine, LocalEngineOptions, RunUntilIdleOptions } from './local-engine.js';
export { createLocalEngine } from './local-engine.js';
export type { OutboxCommit } from './local-outbox.js';
export type { ManualClock } from './manual-clock.js';
export { createManualClock } from './manual-clock.js';
export type { RunSummary } from './run-summary.js';

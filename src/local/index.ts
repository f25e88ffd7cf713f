export { createLocalEngine } from './local-engine';
export type { LocalEngine, LocalEngineOptions } from './local-engine';
export { createManualClock } from './manual-clock';
export type { ManualClock } from './manual-clock';
export type { RunSummary } from './run-summary';
export { createMemoryTransport } from '../transport/memory';
export type { MemoryTransport, PeekedMessage, QueueStats } from '../transport/memory';
export { createMemoryJobStore } from '../store/memory-store';

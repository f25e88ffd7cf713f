export { createMemoryJobStore } from '../store/memory-store';
export type { MemoryTransport, PeekedMessage, QueueStats } from '../transport/memory';
export { createMemoryTransport } from '../transport/memory';
export { createFastForwardClock } from './fast-forward-clock';
export type { LocalEngine, LocalEngineOptions } from './local-engine';
export { createLocalEngine } from './local-engine';
export type { ManualClock } from './manual-clock';
export { createManualClock } from './manual-clock';
export type { RunSummary } from './run-summary';

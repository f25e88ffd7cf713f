export type { MetricOutcome } from '../observe/metric-names.js';
export { OUTCOME_METRICS } from '../observe/metric-names.js';
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
export type { DurationSketchState } from './duration-sketch.js';
export { DurationSketch, SKETCH_RELATIVE_ACCURACY } from './duration-sketch.js';
export { createFastForwardClock } from './fast-forward-clock.js';
export type { JobStatsState, StatsBucket } from './job-stats.js';
export { JobStatsCollector, MAX_STATS_BUCKETS, STATS_BUCKET_MS } from './job-stats.js';
export type { LocalEngine, LocalEngineOptions, RunUntilIdleOptions } from './local-engine.js';
export { createLocalEngine } from './local-engine.js';
export type { OutboxCommit } from './local-outbox.js';
export type { ManualClock } from './manual-clock.js';
export { createManualClock } from './manual-clock.js';
export type { RunSummary } from './run-summary.js';

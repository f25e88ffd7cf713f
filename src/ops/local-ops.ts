import type { JobRegistry } from '../job/registry.js';
import type { LocalEngine } from '../local/local-engine.js';
import { createMemoryQueueAdmin } from '../transport/memory/memory-queue-admin.js';
import { createOps, type OpsOptions } from './create-ops.js';
import { createScheduleSource } from './schedules.js';
import { localStatsReport } from './stats-report.js';
import type { Ops } from './types.js';

export interface LocalOpsOptions extends Pick<OpsOptions, 'redact' | 'redrive' | 'schedules'> {
  readonly engine: LocalEngine;
  readonly registry: JobRegistry;
}

/**
 * Ops over the embedded engine's in-memory queues, store and scheduler: the same API as on AWS, for demos and
 * tests. Its schedules are the registry's recurring tasks, fired on the engine's clock.
 */
export function createLocalOps(options: LocalOpsOptions): Ops {
  const { engine, registry } = options;
  const { scheduler, transport, clock } = engine;
  return createOps({
    schedules: createScheduleSource({ scheduler, transport, clock }),
    ...options,
    admin: createMemoryQueueAdmin({
      transport: engine.transport,
      clock: engine.clock,
      // Every queue and every lane of one (`<queue>/<lane>`), as the engine created them.
      queues: engine.transport.queueNames(),
    }),
    store: engine.store,
    scheduler,
    registry,
    enqueuer: engine.client,
    clock: engine.clock,
    // The engine's own counts, by its clock (which a fast-forward may have moved ahead of the wall clock).
    stats: async (window) =>
      localStatsReport(engine.stats.bucketsIn(window.sinceMs, window.untilMs), window, registry),
  });
}

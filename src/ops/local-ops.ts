import type { JobRegistry } from '../job/registry';
import type { LocalEngine } from '../local/local-engine';
import { createMemoryQueueAdmin } from '../transport/memory/memory-queue-admin';
import { createOps, type OpsOptions } from './create-ops';
import type { Ops } from './types';

export interface LocalOpsOptions extends Pick<OpsOptions, 'redact' | 'redrive' | 'schedules'> {
  readonly engine: LocalEngine;
  readonly registry: JobRegistry;
}

/** Ops over the embedded engine's in-memory queues and store: the same API as on AWS, for demos and tests. */
export function createLocalOps(options: LocalOpsOptions): Ops {
  const { engine, registry } = options;
  return createOps({
    ...options,
    admin: createMemoryQueueAdmin({
      transport: engine.transport,
      clock: engine.clock,
      queues: registry.queues,
    }),
    store: engine.store,
    registry,
    enqueuer: engine.client,
    clock: engine.clock,
  });
}

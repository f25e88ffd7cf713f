import type { BatchHandler } from '../aws/esm';
import { sqsRecord, toEvents } from '../aws/records';
import type { InMemoryWorker } from '../scenario';
import { createBaselineHandler } from './handler';
import { MemoryPersistenceLayer } from './memory-persistence';
import type { BaselineVariant } from './rig';
import { baselineBody } from './rig';

/** The baseline handler with its I/O taken out: Powertools idempotency on an in-memory persistence layer. */
export function baselineInMemory(variant: BaselineVariant): InMemoryWorker {
  return {
    label: `baseline ${variant}`,
    handlerForRun(): BatchHandler {
      return createBaselineHandler({
        persistence: variant === 'idempotent' ? new MemoryPersistenceLayer() : undefined,
      });
    },
    async events(count) {
      return toEvents(Array.from({ length: count }, () => sqsRecord(baselineBody())));
    },
  };
}

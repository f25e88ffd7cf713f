import { createClient, type IdempotencyMode } from 'wharf-jobs';
import type { OutgoingMessage, Transport } from 'wharf-jobs/adapters';
import { createLambdaHandler } from 'wharf-jobs/lambda';
import { createManualClock, createMemoryJobStore, createMemoryTransport } from 'wharf-jobs/local';
import type { BatchHandler } from '../aws/esm';
import { sqsRecord, toEvents } from '../aws/records';
import type { InMemoryWorker } from '../scenario';
import { benchMetrics } from './emf-sink';
import { noopJobs } from './jobs';

/**
 * wharf's Lambda handler with its I/O taken out: the memory store and transport (only the store is touched on
 * the happy path). The events carry envelopes written by the real client, so decoding sees what SQS would carry.
 */
export function wharfInMemory(mode: IdempotencyMode, { metrics = true } = {}): InMemoryWorker {
  const jobs = noopJobs(mode);
  return {
    label: `wharf ${mode}${metrics ? '' : ', no metrics'}`,
    handlerForRun(): BatchHandler {
      const handler = createLambdaHandler({
        registry: jobs.registry,
        queue: 'default',
        transport: createMemoryTransport({ clock: createManualClock() }),
        store: mode === 'off' ? undefined : createMemoryJobStore(),
        ...(metrics ? { metrics: benchMetrics() } : {}),
      });
      return (event, context) => handler(event, context);
    },
    async events(count) {
      const captured: OutgoingMessage[] = [];
      const capture: Transport = {
        send: async (_queue, messages) => {
          captured.push(...messages);
          return messages.map((_, i) => ({ ok: true as const, messageId: String(i) }));
        },
        sendToDeadLetter: async () => undefined,
      };
      const requests = Array.from({ length: count }, (_, i) => jobs.job.with({ i }));
      await createClient({ transport: capture }).enqueueMany(requests);
      return toEvents(captured.map((m) => sqsRecord(m.body, m.attributes)));
    },
  };
}

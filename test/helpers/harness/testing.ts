import {
  createRegistry,
  type EnqueuedJob,
  type Enqueuer,
  type JobDefinition,
  type JobEvent,
} from 'wharf-jobs';
import { createMemoryJobStore } from '../../../src/local/index';
import { addMessage, createCapturingEnqueuer } from '../../../src/testing/capture';
import { startTestMode } from '../../../src/testing/enable-test-mode';
import { failingClaims } from './embedded';
import type { Harness, HarnessEnv, HarnessOptions } from './types';

/**
 * wharf-jobs/testing as the adapter: `performEnqueued` hands each due message to the engine, which runs over the
 * test mode's capturing transport, manual clock and memory store. The same scenarios as the embedded engine and
 * moto, so the test helpers cannot drift from the engine. Test mode has no visibility timeout: a message being
 * run is never handed out a second time, so scenarios that need that redelivery do not apply.
 */
export const testingHarness: Harness = {
  name: 'test helpers (wharf-jobs/testing)',
  realTime: false,
  redeliversInFlight: false,
  async setup(jobs: readonly JobDefinition[], options: HarnessOptions = {}): Promise<HarnessEnv> {
    const registry = createRegistry(jobs);
    const queue = registry.queues[0] ?? 'default';
    const events: JobEvent[] = [];
    const failing = { claims: 0 };
    const rawStore = createMemoryJobStore();
    const store = failingClaims(options.wrapStore ? options.wrapStore(rawStore) : rawStore, failing);
    const { jobs: testJobs, state } = startTestMode(
      { now: new Date(Date.UTC(2026, 10, 25, 12)), registry },
      {
        store,
        onEvent: (e) => events.push(e),
        engine: {
          unknownJobDeferrals: options.unknownJobDeferrals ?? 3,
          unknownJobDelay: '2s',
          leaseMargin: options.leaseMargin ?? '10s',
        },
      },
    );
    const deliver = async () =>
      (await testJobs.performEnqueued({ onFailure: 'collect', maxJobs: 10_000 })).performed.length;
    return {
      client: withMessageIds(createCapturingEnqueuer(state)),
      store: rawStore,
      clock: state.clock,
      events,
      queue,
      deliver,
      drain: async () => {
        for (let rounds = 0; rounds < 10_000; rounds++) {
          await deliver();
          const next = Math.min(...state.pending.map((entry) => entry.captured.runAtMs));
          if (!Number.isFinite(next)) return;
          state.clock.advanceTo(next);
        }
        throw new Error('the test mode queue never drained');
      },
      advance: async (ms) => state.clock.advance(ms),
      deadLetters: async () => state.deadLetters.map((m) => ({ body: m.body, attributes: m.attributes })),
      sendRaw: async (body) => addMessage(state, queue, { body, attributes: {}, delaySeconds: 0 }),
      failStoreClaims: (times) => {
        failing.claims = times;
      },
      teardown: async () => testJobs.restore(),
    };
  },
};

/**
 * Captured jobs carry no message id (nothing was sent); the suite tells two deliveries of one job apart by it, so
 * each capture gets one of its own here.
 */
function withMessageIds(enqueuer: Enqueuer): Enqueuer {
  let sent = 0;
  const stamp = (job: EnqueuedJob): EnqueuedJob => ({ ...job, messageId: `captured-${++sent}` });
  return {
    enqueue: async (request) => stamp(await enqueuer.enqueue(request)),
    enqueueMany: async (requests) => {
      const result = await enqueuer.enqueueMany(requests);
      return { ...result, enqueued: result.enqueued.map(stamp) };
    },
    // Batches: the capture's own (test mode keeps a real batch record); their children already carry message ids.
    ...(enqueuer.enqueueBatch ? { enqueueBatch: enqueuer.enqueueBatch } : {}),
    ...(enqueuer.addToBatch ? { addToBatch: enqueuer.addToBatch } : {}),
  };
}

import { createRegistry, type JobDefinition, type JobEvent } from 'wharf-jobs';
import type { JobStore } from 'wharf-jobs/adapters';
import { createLocalEngine, createManualClock, createMemoryJobStore } from '../../../src/local/index';
import type { Harness, HarnessEnv, HarnessOptions } from './types';

export const embeddedHarness: Harness = {
  name: 'embedded engine',
  realTime: false,
  async setup(jobs: readonly JobDefinition[], options: HarnessOptions = {}): Promise<HarnessEnv> {
    const registry = createRegistry(jobs);
    const queue = registry.queues[0] ?? 'default';
    const clock = createManualClock(Date.UTC(2026, 10, 25, 12));
    const events: JobEvent[] = [];
    const failing = { claims: 0 };
    const rawStore = createMemoryJobStore();
    const store = failingClaims(options.wrapStore ? options.wrapStore(rawStore) : rawStore, failing);
    const engine = createLocalEngine({
      registry,
      clock,
      store,
      random: () => 0,
      onEvent: (e) => events.push(e),
      engine: {
        unknownJobDeferrals: options.unknownJobDeferrals ?? 3,
        unknownJobDelay: '2s',
        leaseMargin: options.leaseMargin ?? '10s',
      },
    });
    return {
      client: engine.client,
      cancel: engine.client.cancel,
      store: rawStore,
      clock,
      events,
      queue,
      deliver: () => engine.tick(),
      drain: async () => void (await engine.runUntilIdle({ maxMessages: 10_000 })),
      advance: async (ms) => clock.advance(ms),
      deadLetters: async () =>
        engine.transport.peekDeadLetters(queue).map((m) => ({ body: m.body, attributes: m.attributes })),
      sendRaw: async (body) => {
        const [outcome] = await engine.transport.send(queue, [{ body, attributes: {}, delaySeconds: 0 }]);
        if (!outcome?.ok) throw new Error(`raw send failed: ${JSON.stringify(outcome)}`);
      },
      failStoreClaims: (times) => {
        failing.claims = times;
      },
      teardown: async () => engine.close(),
    };
  },
};

/** Wraps a store so that the next N claims throw like an unavailable DynamoDB. */
export function failingClaims(store: JobStore, failing: { claims: number }): JobStore {
  return {
    ...store,
    claim: async (input) => {
      if (failing.claims > 0) {
        failing.claims--;
        throw Object.assign(new Error('Service unavailable (injected)'), { name: 'ServiceUnavailable' });
      }
      return store.claim(input);
    },
  };
}

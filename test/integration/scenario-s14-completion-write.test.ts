import { afterEach, describe, expect, it } from 'vitest';
import { defineJob, type JobEvent } from 'wharf-jobs';
import type { JobStore } from 'wharf-jobs/adapters';
import { z } from 'zod';
import { type FaultMode, injectFault, successWrite } from '../helpers/aws-faults';
import { KeyedDownstream } from '../helpers/downstream';
import { embeddedHarness } from '../helpers/harness/embedded';
import { testingHarness } from '../helpers/harness/testing';
import type { HarnessEnv } from '../helpers/harness/types';
import { createMotoWorld, type MotoWorld } from '../helpers/moto-world';

/**
 * S14 (reliability-anchors §7): the job's side effect happened, then the write that records it as succeeded
 * fails. What wharf does, exactly-once mode:
 * - the write never reached the store: the message is released, the lease stays, and the job runs again once the
 *   lease has lapsed (the job's timeout plus `leaseMargin` after the claim), as attempt 2; it ends succeeded.
 * - the write landed but the worker saw an error: the message is released, and its next delivery finds the job
 *   succeeded and acknowledges it as a duplicate; the job ran once.
 * - the SDK retried the write whose response was lost: the retry finds the outcome it was writing, and the run
 *   counts as recorded; no release, the job ran once.
 * Nothing is lost in any case, and a downstream keyed by `ctx.jobId` sees one logical effect.
 */

const types = (events: readonly JobEvent[]) =>
  events.map((e) => (e.type === 'deferred' ? `deferred:${e.why}` : e.type));
const releasedWhy = (events: readonly JobEvent[]) =>
  events.flatMap((e) => (e.type === 'released' ? [e.why] : []));

function chargeJob(downstream: KeyedDownstream<number>, runs: number[], timeout: '1s' | '30s') {
  return defineJob({
    name: 'charge-card',
    schema: z.object({ amountCents: z.number() }),
    idempotency: 'exactly-once',
    timeout,
    perform: ({ amountCents }, ctx) => {
      runs.push(ctx.attempt);
      downstream.apply(ctx.jobId, amountCents);
      return { charged: amountCents };
    },
  });
}

describe('S14 the completed write fails after the effect', () => {
  describe('on moto (the DynamoDB success write faulted by SDK middleware)', () => {
    let world: MotoWorld | undefined;
    afterEach(() => {
      world?.teardown();
      world = undefined;
    });

    /** A 1 s job with no lease margin: its lease lapses before the 2 s visibility timeout brings it back. */
    async function setup(mode: FaultMode) {
      const downstream = new KeyedDownstream<number>();
      const runs: number[] = [];
      const job = chargeJob(downstream, runs, '1s');
      world = await createMotoWorld([job], { leaseMargin: '0s', visibilityTimeoutSeconds: 2 });
      await world.client.enqueue(job.with({ amountCents: 4200 }, { jobId: 'order-14' }));
      const fault = injectFault(world.dynamodb, successWrite(mode), 1);
      return { downstream, runs, world, fault };
    }

    it('runs the job again as attempt 2 once its lease lapsed when the write never reached DynamoDB, and records it succeeded', async () => {
      const { downstream, runs, world: w, fault } = await setup('before');
      const first = await w.deliver();
      expect(first.response?.batchItemFailures).toEqual([{ itemIdentifier: first.records[0]?.messageId }]);
      expect(fault.failed).toHaveLength(1);
      // The claim's lease is all the store holds: the job is still running as far as it knows.
      expect(await w.store.get('order-14', Date.now())).toMatchObject({ status: 'running', attempt: 1 });
      await w.drain();
      expect(runs).toEqual([1, 2]);
      expect(downstream.calls).toEqual([
        { key: 'order-14', value: 4200 },
        { key: 'order-14', value: 4200 },
      ]);
      expect(downstream.effects()).toEqual(new Map([['order-14', 4200]]));
      expect(types(w.events)).toEqual(['started', 'released', 'started', 'succeeded']);
      expect(releasedWhy(w.events)).toEqual(['could not record success']);
      expect(await w.store.get('order-14', Date.now())).toMatchObject({
        status: 'succeeded',
        attempt: 2,
        fence: 2,
        result: { charged: 4200 },
      });
      expect(await w.deadLetters()).toEqual([]);
      expect(await w.messagesLeft()).toBe(0);
    });

    it('acknowledges the redelivery as a duplicate when the write landed in DynamoDB but the worker saw an error: the job ran once', async () => {
      const { downstream, runs, world: w, fault } = await setup('after');
      const first = await w.deliver();
      expect(first.response?.batchItemFailures).toEqual([{ itemIdentifier: first.records[0]?.messageId }]);
      expect(fault.failed).toHaveLength(1);
      expect(await w.store.get('order-14', Date.now())).toMatchObject({ status: 'succeeded', attempt: 1 });
      await w.drain();
      expect(runs).toEqual([1]);
      expect(downstream.calls).toEqual([{ key: 'order-14', value: 4200 }]);
      expect(types(w.events)).toEqual(['started', 'released', 'duplicate']);
      expect(await w.store.get('order-14', Date.now())).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        fence: 1,
        result: { charged: 4200 },
      });
      expect(await w.deadLetters()).toEqual([]);
      expect(await w.messagesLeft()).toBe(0);
    });

    it('counts the run as recorded when the SDK retried a write whose response was lost: no release, one run', async () => {
      const { downstream, runs, world: w, fault } = await setup('after-retried');
      const first = await w.deliver();
      expect(first.response).toEqual({ batchItemFailures: [] });
      expect(first.deleted).toBe(1);
      // The same UpdateItem went to DynamoDB twice: the retry's condition failed on the outcome already written.
      expect(fault.sent).toHaveLength(2);
      expect(fault.sent[1]).toEqual(fault.sent[0]);
      expect(runs).toEqual([1]);
      expect(downstream.calls).toHaveLength(1);
      expect(types(w.events)).toEqual(['started', 'succeeded']);
      expect(await w.store.get('order-14', Date.now())).toMatchObject({
        status: 'succeeded',
        attempt: 1,
        fence: 1,
      });
      expect(await w.messagesLeft()).toBe(0);
    });
  });

  describe.each([embeddedHarness, testingHarness])(
    'on the $name (the store succeed call faulted)',
    (harness) => {
      let env: HarnessEnv | undefined;
      afterEach(async () => {
        await env?.teardown();
        env = undefined;
      });

      /** The store's succeed fails once: before it writes, or after the write (the response lost). */
      function failingSucceed(mode: 'before' | 'after') {
        let left = 1;
        return (store: JobStore): JobStore => ({
          ...store,
          succeed: async (input) => {
            if (left === 0) return store.succeed(input);
            left--;
            if (mode === 'after') await store.succeed(input);
            throw Object.assign(new Error(`store unavailable (injected ${mode} the write)`), {
              name: 'ServiceUnavailable',
            });
          },
        });
      }

      it('runs the job again as attempt 2 only after the lease (timeout + leaseMargin) lapsed when the write never landed', async () => {
        const downstream = new KeyedDownstream<number>();
        const runs: number[] = [];
        const job = chargeJob(downstream, runs, '30s');
        env = await harness.setup([job], { wrapStore: failingSucceed('before') });
        const { jobId } = await env.client.enqueue(job.with({ amountCents: 4200 }));
        await env.drain();
        expect(runs).toEqual([1, 2]);
        expect(downstream.calls.map((c) => c.key)).toEqual([jobId, jobId]);
        expect(downstream.effects()).toEqual(new Map([[jobId, 4200]]));
        // The redelivery finds the lease live and waits for it: no second run inside the first run's lease.
        expect(types(env.events)).toEqual(['started', 'released', 'deferred:busy', 'started', 'succeeded']);
        const starts = env.events.filter((e) => e.type === 'started').map((e) => e.atMs);
        const leaseMs = 30_000 + 10_000;
        expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(leaseMs);
        expect(starts[1]! - starts[0]!).toBeLessThanOrEqual(leaseMs + 1_000);
        expect(await env.store.get(jobId, env.clock.nowMs())).toMatchObject({
          status: 'succeeded',
          attempt: 2,
          fence: 2,
          result: { charged: 4200 },
        });
        expect(await env.deadLetters()).toEqual([]);
      });

      it('acknowledges the redelivery as a duplicate when the write landed but the call failed: the job ran once', async () => {
        const downstream = new KeyedDownstream<number>();
        const runs: number[] = [];
        const job = chargeJob(downstream, runs, '30s');
        env = await harness.setup([job], { wrapStore: failingSucceed('after') });
        const { jobId } = await env.client.enqueue(job.with({ amountCents: 4200 }));
        await env.drain();
        expect(runs).toEqual([1]);
        expect(downstream.calls).toHaveLength(1);
        expect(types(env.events)).toEqual(['started', 'released', 'duplicate']);
        expect(await env.store.get(jobId, env.clock.nowMs())).toMatchObject({
          status: 'succeeded',
          attempt: 1,
          fence: 1,
        });
        expect(await env.deadLetters()).toEqual([]);
      });

      it('runs a tracked job again on the redelivery, without waiting for a lease, when the write never landed', async () => {
        // Tracked mode takes no lease: the released message simply runs again, so only the downstream key holds
        // the effect to one. (Exactly-once waits out the lease first, above.)
        const downstream = new KeyedDownstream<number>();
        const runs: number[] = [];
        const job = defineJob({
          name: 'charge-tracked',
          schema: z.object({ amountCents: z.number() }),
          perform: ({ amountCents }, ctx) => {
            runs.push(ctx.attempt);
            downstream.apply(ctx.jobId, amountCents);
          },
        });
        env = await harness.setup([job], { wrapStore: failingSucceed('before') });
        const { jobId } = await env.client.enqueue(job.with({ amountCents: 99 }));
        await env.drain();
        expect(runs).toEqual([1, 1]);
        expect(downstream.calls).toHaveLength(2);
        expect(downstream.effects()).toEqual(new Map([[jobId, 99]]));
        expect(types(env.events)).toEqual(['started', 'released', 'started', 'succeeded']);
        expect(await env.store.get(jobId, env.clock.nowMs())).toMatchObject({
          status: 'succeeded',
          attempt: 1,
        });
      });
    },
  );
});

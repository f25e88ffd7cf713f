import { afterEach, describe, expect, it } from 'vitest';
import { defineJob, type JobDefinition } from 'wharf-jobs';
import { z } from 'zod';
import { embeddedHarness } from '../helpers/harness/embedded';
import { motoHarness } from '../helpers/harness/moto';
import type { HarnessEnv } from '../helpers/harness/types';

class RateLimitError extends Error {
  override name = 'RateLimitError';
}
const call = z.object({ id: z.string() });

// Issue 17's per-error retry rules, through the whole engine on the embedded engine and on moto: an error its rule
// allows more attempts gets them (past the policy's own), with its own wait; any other error gets the policy's.
describe.each([embeddedHarness, motoHarness])('per-error retry rules on the $name', (harness) => {
  let env: HarnessEnv | undefined;
  const setup = async (jobs: JobDefinition[]) => {
    env = await harness.setup(jobs, { visibilityTimeoutSeconds: 60 });
    return env;
  };
  afterEach(async () => {
    await env?.teardown();
    env = undefined;
  });

  it("retries a rate-limited call by its rule past the policy's attempts, and dead-letters another error by the policy", async () => {
    const attempts: Record<string, number[]> = {};
    const job = defineJob({
      name: 'call-partner',
      schema: call,
      idempotency: 'exactly-once',
      retry: {
        attempts: 2,
        backoff: { strategy: 'fixed', delay: '1s' },
        rules: [{ on: RateLimitError, attempts: 4, backoff: { strategy: 'fixed', delay: '2s' } }],
      },
      perform({ id }, ctx) {
        attempts[id] = [...(attempts[id] ?? []), ctx.attempt];
        if (id === 'limited' && ctx.attempt < 4) throw new RateLimitError('429 from the partner');
        if (id === 'broken') throw new TypeError('a bug');
        return { maxAttempts: ctx.maxAttempts };
      },
    });
    const e = await setup([job]);
    const limited = await e.client.enqueue(job.with({ id: 'limited' }));
    const broken = await e.client.enqueue(job.with({ id: 'broken' }));
    await e.drain({ timeoutMs: 60_000 });
    expect(attempts).toEqual({ limited: [1, 2, 3, 4], broken: [1, 2] });
    expect(await e.store.get(limited.jobId, e.clock.nowMs())).toMatchObject({
      status: 'succeeded',
      attempt: 4,
      result: { maxAttempts: 4 },
    });
    expect(await e.store.get(broken.jobId, e.clock.nowMs())).toMatchObject({ status: 'dead', attempt: 2 });
    const waits = e.events
      .filter((ev) => ev.type === 'retrying')
      .map((ev) => ev.type === 'retrying' && [ev.jobId, ev.delayMs]);
    expect(waits).toEqual(
      expect.arrayContaining([
        [limited.jobId, 2_000],
        [broken.jobId, 1_000],
      ]),
    );
    expect(waits.filter((w) => w && w[0] === limited.jobId)).toHaveLength(3);
    const dead = await e.deadLetters();
    expect(dead.map((d) => JSON.parse(d.body).id)).toEqual([broken.jobId]);
  });
});

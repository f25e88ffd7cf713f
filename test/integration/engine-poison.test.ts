import { afterEach, describe, expect, it } from 'vitest';
import { defineJob } from 'wharf-jobs';
import { MESSAGE_ATTRIBUTES as ATTR } from 'wharf-jobs/adapters';
import { z } from 'zod';
import { embeddedHarness } from '../helpers/harness/embedded';
import { motoHarness } from '../helpers/harness/moto';
import { testingHarness } from '../helpers/harness/testing';
import type { HarnessEnv } from '../helpers/harness/types';

const now = Date.UTC(2026, 10, 25);
const envelope = (fields: Record<string, unknown>) =>
  JSON.stringify({
    v: 1,
    id: crypto.randomUUID(),
    job: 'good',
    payload: { n: 1 },
    attempt: 1,
    createdAtMs: now,
    enqueuedAtMs: now,
    ...fields,
  });

// Invariant 4: each kind of bad input is contained, dead-lettered with a reason code, and the good message
// delivered in the same batch still succeeds.
describe.each([embeddedHarness, motoHarness, testingHarness])('poison input on the $name', (harness) => {
  let env: HarnessEnv | undefined;
  afterEach(async () => {
    await env?.teardown();
    env = undefined;
  });

  it('dead-letters each poison message with its reason and runs the good one beside them', async () => {
    const ran: number[] = [];
    const good = defineJob({
      name: 'good',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: ({ n }) => void ran.push(n),
    });
    env = await harness.setup([good], { unknownJobDeferrals: 0 });
    const deep = `{"v":1,"id":"deep","job":"good","attempt":1,"createdAtMs":${now},"enqueuedAtMs":${now},"payload":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const poison: Record<string, string> = {
      'malformed-body': 'this is not json {',
      'unsupported-version': envelope({ v: 99 }),
      'invalid-payload': envelope({ payload: { n: 'not a number' } }),
      'unknown-job': envelope({ job: 'no-such-job' }),
      'hostile-input': envelope({ payload: JSON.parse('{"n":1,"__proto__":{"polluted":true}}') }),
    };
    for (const body of Object.values(poison)) await env.sendRaw(body);
    await env.sendRaw(deep);
    await env.sendRaw(envelope({ payload: { n: 7 } }));
    await env.drain();

    expect(ran).toEqual([7]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const dead = await env.deadLetters();
    const reasons = dead.map((d) => d.attributes[ATTR.reason]).sort();
    expect(reasons).toEqual([
      'hostile-input',
      'hostile-input',
      'invalid-payload',
      'malformed-body',
      'unknown-job',
      'unsupported-version',
    ]);
    const malformed = dead.find((d) => d.attributes[ATTR.reason] === 'malformed-body')!;
    expect(malformed.body).toBe('this is not json {');
    expect(malformed.attributes[ATTR.error]).toMatch(/not JSON/);
    const invalid = dead.find((d) => d.attributes[ATTR.reason] === 'invalid-payload')!;
    expect(JSON.parse(invalid.body).deadLetter.error.message).toMatch(/n: /);
  });

  it('puts off an unknown job a few times (deploy skew) before dead-lettering it', async () => {
    const good = defineJob({
      name: 'good',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: () => undefined,
    });
    env = await harness.setup([good], { unknownJobDeferrals: 2 });
    await env.sendRaw(envelope({ job: 'deployed-later' }));
    await env.drain();
    const deferred = env.events.filter((e) => e.type === 'deferred');
    expect(deferred.map((e) => (e.type === 'deferred' ? e.why : ''))).toEqual(['unknown-job', 'unknown-job']);
    const dead = await env.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes[ATTR.reason]).toBe('unknown-job');
    expect(JSON.parse(dead[0]!.body)).toMatchObject({ job: 'deployed-later', deferrals: 2 });
  });
});

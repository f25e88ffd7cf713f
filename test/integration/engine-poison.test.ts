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

  // Issue 12: a producer other than our client can send names and ids SQS refuses in message attributes. Before the
  // one attribute encoder, every re-send of such a job was refused, so a failing job with 2 attempts ran until
  // SQS's maxReceiveCount and was moved without a reason.
  it.each([
    ['an escape character', 'id-\u001b[31m-red'],
    ['an escaped lone surrogate', 'id-\ud800-lone'],
  ])('retries and dead-letters a job whose id holds %s: its attempts, then its reason', async (_what, id) => {
    let runs = 0;
    const flaky = defineJob({
      name: 'flaky',
      schema: z.object({}),
      idempotency: 'off',
      retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
      perform: () => {
        runs += 1;
        throw new Error('always fails');
      },
    });
    env = await harness.setup([flaky], { visibilityTimeoutSeconds: 1 });
    // JSON.stringify writes both as \u escapes, which is what such a producer would put on the wire.
    await env.sendRaw(envelope({ id, job: 'flaky', payload: {} }));
    await env.drain();
    expect(runs).toBe(2);
    const dead = await env.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes[ATTR.reason]).toBe('retries-exhausted');
    expect(JSON.parse(dead[0]!.body).id).toBe(id);
    expect(dead[0]!.attributes[ATTR.jobId]).toMatch(/^id-\ufffd/);
  });

  // A body near SQS's whole limit leaves no room for the dead letter's attributes: it is dead-lettered with its
  // reason and an account of the body (size, SHA-256, head) instead of looping until SQS moves it without one.
  it('dead-letters poison near 1 MiB as oversize, keeping its size, SHA-256 and head', async () => {
    const good = defineJob({
      name: 'good',
      schema: z.object({ n: z.number() }),
      idempotency: 'off',
      perform: () => undefined,
    });
    env = await harness.setup([good], { visibilityTimeoutSeconds: 1 });
    const body = `not json ${'x'.repeat(1_048_576 - 200)}`;
    await env.sendRaw(body);
    await env.drain();
    const dead = await env.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes[ATTR.reason]).toBe('oversize');
    const account = JSON.parse(dead[0]!.body).wharfRawBody;
    const { createHash } = await import('node:crypto');
    expect(account).toMatchObject({
      bytes: Buffer.byteLength(body),
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    expect(body.startsWith(account.head)).toBe(true);
    expect(account.head.length).toBeGreaterThan(1000);
  });

  it('dead-letters a message that arrives with an attempt past its maximum, saying it never ran', async () => {
    let runs = 0;
    const twice = defineJob({
      name: 'twice',
      schema: z.object({}),
      idempotency: 'tracked',
      retry: { attempts: 2 },
      perform: () => {
        runs += 1;
      },
    });
    env = await harness.setup([twice]);
    await env.sendRaw(envelope({ id: 'late-attempt', job: 'twice', payload: {}, attempt: 3 }));
    await env.drain();
    expect(runs).toBe(0);
    const [dead] = await env.deadLetters();
    expect(dead!.attributes[ATTR.reason]).toBe('retries-exhausted');
    expect(JSON.parse(dead!.body).deadLetter.error).toMatchObject({
      code: 'WHARF_INVALID_ATTEMPT',
      message: expect.stringMatching(/arrived as attempt 3, past the job's 2 attempts .* it was not run/),
    });
  });
});

// Issue 12, S16: in exactly-once mode the job id is the idempotency key, and the claim compares the job's name and
// its payload's fingerprint with the record's. Before, any succeeded record of that id made the message a
// "duplicate": a second job (or the same job with another payload) was acknowledged and never ran, silently.
describe.each([embeddedHarness, motoHarness])('a job id reused on the $name', (harness) => {
  let env: HarnessEnv | undefined;
  afterEach(async () => {
    await env?.teardown();
    env = undefined;
  });

  const jobs = (ran: string[]) => [
    defineJob({
      name: 'charge',
      schema: z.object({ amount: z.number() }),
      idempotency: 'exactly-once',
      perform: ({ amount }) => void ran.push(`charge ${amount}`),
    }),
    defineJob({
      name: 'refund',
      schema: z.object({ amount: z.number() }),
      idempotency: 'exactly-once',
      perform: ({ amount }) => void ran.push(`refund ${amount}`),
    }),
  ];

  it('dead-letters a second job under the same id as job-id-reused, leaving the first job record as it was', async () => {
    const ran: string[] = [];
    const [charge, refund] = jobs(ran);
    env = await harness.setup([charge!, refund!]);
    await env.client.enqueue(charge!.with({ amount: 5 }, { jobId: 'order-1' }));
    await env.drain();
    await env.client.enqueue(refund!.with({ amount: 5 }, { jobId: 'order-1' }));
    await env.drain();
    expect(ran).toEqual(['charge 5']);
    const dead = await env.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.attributes[ATTR.reason]).toBe('job-id-reused');
    expect(JSON.parse(dead[0]!.body)).toMatchObject({ job: 'refund', id: 'order-1' });
    expect(dead[0]!.attributes[ATTR.error]).toMatch(
      /JobIdReusedError \[WHARF_JOB_ID_REUSED\]: job id "order-1" already names a job "charge" \(succeeded\)/,
    );
    expect(await env.store.get('order-1', env.clock.nowMs())).toMatchObject({
      jobName: 'charge',
      status: 'succeeded',
      payload: { amount: 5 },
    });
    expect(env.events.filter((e) => e.type === 'duplicate')).toEqual([]);
  });

  it('dead-letters the same job and id enqueued with another payload; the same payload stays a duplicate', async () => {
    const ran: string[] = [];
    const [charge, refund] = jobs(ran);
    env = await harness.setup([charge!, refund!]);
    await env.client.enqueue(charge!.with({ amount: 5 }, { jobId: 'order-2' }));
    await env.drain();
    await env.client.enqueue(charge!.with({ amount: 5 }, { jobId: 'order-2' }));
    await env.client.enqueue(charge!.with({ amount: 9 }, { jobId: 'order-2' }));
    await env.drain();
    expect(ran).toEqual(['charge 5']);
    expect(env.events.filter((e) => e.type === 'duplicate')).toHaveLength(1);
    const dead = await env.deadLetters();
    expect(dead.map((d) => [d.attributes[ATTR.reason], JSON.parse(d.body).payload])).toEqual([
      ['job-id-reused', { amount: 9 }],
    ]);
    expect(dead[0]!.attributes[ATTR.error]).toMatch(/was first enqueued with another payload/);
  });

  it('fingerprints the payload whatever its key order: a re-serialized duplicate is still a duplicate', async () => {
    const ran: string[] = [];
    const pair = defineJob({
      name: 'pair',
      schema: z.object({ a: z.number(), b: z.number() }),
      idempotency: 'exactly-once',
      perform: ({ a, b }) => void ran.push(`${a}${b}`),
    });
    env = await harness.setup([pair]);
    await env.sendRaw(envelope({ id: 'pair-1', job: 'pair', payload: { a: 1, b: 2 } }));
    await env.drain();
    await env.sendRaw(envelope({ id: 'pair-1', job: 'pair', payload: { b: 2, a: 1 } }));
    await env.drain();
    expect(ran).toEqual(['12']);
    expect(env.events.filter((e) => e.type === 'duplicate')).toHaveLength(1);
    expect(await env.deadLetters()).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import type { EnqueueRequest } from '../../src/client/types';
import { defineJob } from '../../src/define-job';
import { InvalidOptionsError, InvalidPayloadError, UnknownJobError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine } from '../../src/local/local-engine';
import { createManualClock } from '../../src/local/manual-clock';
import { enableTestMode, type TestJobs } from '../../src/testing/index';
import { createMemoryTransport } from '../../src/transport/memory';

const signup = defineJob({
  name: 'send-welcome',
  schema: z.object({ userId: z.string() }),
  perform: () => undefined,
});
const charge = defineJob({
  name: 'charge-card',
  schema: z.object({ orderId: z.string() }),
  perform: () => undefined,
});
const stray = defineJob({ name: 'not-registered', schema: z.object({}), perform: () => undefined });
const registry = createRegistry([signup, charge]);

function world() {
  const clock = createManualClock();
  const transport = createMemoryTransport({ clock, queues: ['default'] });
  return { transport, client: createClient({ transport, clock, registry }) };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error & { code?: string }) => error,
  );
}

describe('enqueue errors', () => {
  const cases: [string, EnqueueRequest, new (...args: never[]) => Error, string][] = [
    [
      'an invalid payload',
      signup.with({ userId: 42 } as never),
      InvalidPayloadError,
      'WHARF_INVALID_PAYLOAD',
    ],
    [
      'an unknown option',
      signup.with({ userId: 'u1' }, { wait: '1m' } as never),
      InvalidOptionsError,
      'WHARF_INVALID_OPTIONS',
    ],
    ['a job the registry does not hold', stray.with({}), UnknownJobError, 'WHARF_UNKNOWN_JOB'],
  ];

  it.each(cases)(
    'raise the same class and code for %s, one job or in bulk',
    async (_, request, type, code) => {
      const { client, transport } = world();
      const single = await rejection(client.enqueue(request));
      const bulk = await rejection(client.enqueueMany([charge.with({ orderId: 'o1' }), request]));
      expect(single).toBeInstanceOf(type);
      expect(bulk).toBeInstanceOf(type);
      expect([single.code, bulk.code]).toEqual([code, code]);
      expect(bulk.message).toMatch(
        /^Invalid bulk enqueue \(1 of 2 jobs invalid; nothing was sent\):\n {2}- #1 /,
      );
      expect(transport.peek('default')).toEqual([]);
    },
  );

  it('refuse a job missing from the registry at enqueue, naming the job and the registry jobs', async () => {
    const { client } = world();
    const error = await rejection(client.enqueue(stray.with({})));
    expect(error).toMatchObject({
      name: 'UnknownJobError',
      jobNames: ['not-registered'],
      knownJobs: ['send-welcome', 'charge-card'],
    });
    expect(error.message).toBe(
      'Invalid enqueue of "not-registered":\n' +
        '  - job "not-registered" is not in this client\'s registry (its jobs: "send-welcome", "charge-card"); ' +
        'a worker running that registry would dead-letter it as unknown-job. Add the job to createRegistry([...]) ' +
        'or enqueue through a client built with the registry that has it',
    );
  });

  it('list every problem of a bulk enqueue at once, the gravest kind deciding the class', async () => {
    const { client } = world();
    const error = await rejection(
      client.enqueueMany([
        signup.with({ userId: 1 } as never),
        stray.with({}),
        charge.with({ orderId: 'o' }),
      ]),
    );
    expect(error).toBeInstanceOf(UnknownJobError);
    expect((error as UnknownJobError).problems).toEqual([
      expect.stringMatching(/^#0 send-welcome: userId: /),
      expect.stringMatching(/^#1 not-registered: job "not-registered" is not in this client's registry/),
    ]);
  });

  it('accept any job when the client has no registry', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock });
    await expect(createClient({ transport, clock }).enqueue(stray.with({}))).resolves.toMatchObject({
      jobName: 'not-registered',
    });
  });

  describe('on the embedded engine and in test mode', () => {
    let jobs: TestJobs | undefined;
    afterEach(() => jobs?.restore());

    it('the embedded engine refuses what its registry lacks, through performLater too', async () => {
      const engine = createLocalEngine({ registry, installAsDefault: true });
      try {
        await expect(stray.performLater({})).rejects.toBeInstanceOf(UnknownJobError);
        expect(engine.transport.peek('default')).toEqual([]);
      } finally {
        engine.close();
      }
    });

    it('test mode given the registry refuses it the same way; without one it captures any job', async () => {
      jobs = enableTestMode({ registry });
      await expect(stray.performLater({})).rejects.toMatchObject({ code: 'WHARF_UNKNOWN_JOB' });
      expect(jobs.count()).toBe(0);
      jobs.restore();
      jobs = enableTestMode();
      await stray.performLater({});
      expect(jobs.count(stray)).toBe(1);
    });
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import { createEngine } from '../../src/engine/engine';
import { InvalidOptionsError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createManualClock } from '../../src/local/manual-clock';
import { createMemoryTransport } from '../../src/transport/memory/index';

const schema = z.object({ accountId: z.string(), orderId: z.string().optional() });
const perform = () => undefined;

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return (error as InvalidOptionsError).problems;
  }
  throw new Error('expected a throw');
}

describe('flow-control options of defineJob', () => {
  it('resolves concurrency, throttle, tenant and priority, with the throttle period in ms and burst 0', () => {
    const key = (p: { accountId: string }) => p.accountId;
    const job = defineJob({
      name: 'sync-account',
      schema,
      perform,
      concurrency: { limit: 2, key },
      throttle: { limit: 10, period: '1m' },
      tenant: key,
      priority: 'high',
    });
    expect(job.options.flow).toEqual({
      concurrency: { limit: 2, key },
      throttle: { limit: 10, periodMs: 60_000, burst: 0 },
      tenant: key,
      priority: 'high',
    });
  });

  it('reports every flow-control problem at once, saying what it received', () => {
    expect(
      problemsOf(() =>
        defineJob({
          name: 'bad',
          schema,
          perform,
          concurrency: { limit: 0, key: 'accountId', keys: 1 },
          throttle: { limit: 2.5, period: '500ms', burst: -1 },
          tenant: 'accountId',
          priority: 'High!',
        } as never),
      ),
    ).toEqual([
      'concurrency: unknown option "keys" (known: limit, key)',
      'concurrency.limit: expected an integer from 1 to 1000, received 0',
      'concurrency.key: expected a function of the payload returning a string, received string',
      'throttle.limit: expected an integer from 1 to 10000, received 2.5',
      'throttle.burst: expected an integer from 0 to 10000, received -1',
      'throttle.period: must be between 1s and 1d, received 500 ms',
      'tenant: expected a function of the payload returning a string, received string',
      'priority: expected a lane name (1-20 lowercase letters, digits or "-" starting with a letter), received "High!"',
    ]);
  });

  it('refuses a FIFO group together with a limit or a tenant: the group already runs one at a time in order', () => {
    expect(
      problemsOf(() =>
        defineJob({
          name: 'ordered',
          schema,
          perform,
          group: (p) => p.orderId ?? 'none',
          concurrency: { limit: 1 },
        }),
      ),
    ).toEqual([
      expect.stringMatching(/^group: a job with a FIFO message group cannot also have concurrency/),
    ]);
  });

  it('needs a job store in the engine for a concurrency limit or a throttle', () => {
    const job = defineJob({
      name: 'limited',
      schema,
      perform,
      idempotency: 'off',
      concurrency: { limit: 1 },
    });
    expect(() =>
      createEngine({
        registry: createRegistry([job]),
        transport: createMemoryTransport({ clock: createManualClock(0), queues: ['default'] }),
      }),
    ).toThrow(
      /"limited" have a concurrency limit or a throttle, kept in the job store, but the engine has no store/,
    );
  });
});

describe('flow-control keys at enqueue', () => {
  const clock = createManualClock(Date.UTC(2026, 11, 1));
  const transport = createMemoryTransport({ clock, queues: ['default'] });
  const client = createClient({ transport, clock });

  it('refuses a payload whose key function throws or returns no usable key, before anything is sent', async () => {
    const job = defineJob({
      name: 'keyed',
      schema,
      perform,
      concurrency: { limit: 1, key: (p) => p.orderId as string },
      throttle: { limit: 1, period: '1s', key: () => 'x'.repeat(257) },
      tenant: () => {
        throw new Error('no tenant here');
      },
    });
    await expect(client.enqueue(job.with({ accountId: 'a' }))).rejects.toMatchObject({
      code: 'WHARF_INVALID_PAYLOAD',
      issues: [
        'concurrency.key: expected a string of 1-256 characters, the function returned undefined',
        expect.stringMatching(
          /^throttle\.key: expected a string of 1-256 characters, the function returned "x+"$/,
        ),
        'tenant: the function threw: no tenant here',
      ],
    });
  });

  it('carries the tenant as the message group, kept as printable ASCII of at most 128 characters', async () => {
    const job = defineJob({ name: 'tenanted', schema, perform, tenant: (p) => p.accountId });
    await client.enqueue(job.with({ accountId: 'acct-1' }));
    const [message] = transport.peek('default');
    expect(JSON.parse(message!.body).group).toBe('acct-1');
    await expect(client.enqueue(job.with({ accountId: 'ä' }))).rejects.toMatchObject({
      issues: [
        expect.stringMatching(/^tenant: expected 1-128 printable ASCII characters \(SQS's MessageGroupId\)/),
      ],
    });
  });
});

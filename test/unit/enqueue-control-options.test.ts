import { describe, expect, it } from 'vitest';
import { createClient, createRegistry, defineJob } from 'wharf-jobs';
import { z } from 'zod';
import { createManualClock, createMemoryJobStore, createMemoryTransport } from '../../src/local/index';

const schema = z.object({ id: z.string() });
const perform = () => undefined;

describe('unique, debounce and expiresIn at definition', () => {
  it('resolves them with their defaults', () => {
    const job = defineJob({
      name: 'a',
      schema,
      perform,
      unique: { key: (p) => p.id, until: 'started' },
      expiresIn: '1h',
    });
    expect(job.options.enqueue).toEqual({
      unique: { key: expect.any(Function), until: 'started', lockMs: 86_400_000 },
      expiresInMs: 3_600_000,
    });
    const windowed = defineJob({
      name: 'b',
      schema,
      perform,
      unique: { key: (p) => p.id, until: { for: '10m' } },
    });
    expect(windowed.options.enqueue.unique).toMatchObject({ until: 'window', lockMs: 600_000 });
    const debounced = defineJob({
      name: 'c',
      schema,
      perform,
      debounce: { key: (p) => p.id, wait: '30s', maxWait: '5m' },
    });
    expect(debounced.options.enqueue.debounce).toEqual({
      key: expect.any(Function),
      waitMs: 30_000,
      maxWaitMs: 300_000,
    });
  });

  it('reports every problem at once, saying what it received', () => {
    expect(() =>
      defineJob({
        name: 'bad',
        schema,
        perform,
        idempotency: 'off',
        jobId: (p) => p.id,
        debounce: { key: (p) => p.id, wait: '20m', maxWait: '1s' },
        expiresIn: '0s',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'WHARF_INVALID_DEFINITION',
        message: expect.stringContaining(
          [
            '  - debounce.wait: must be between 1000 ms and 900000 ms, received 1200000 ms',
            '  - expiresIn: must be between 1s and 30d, received 0 ms',
            '  - debounce: a debounced job cannot have a jobId function: the first enqueue of a burst names the job, and the later ones fold into it',
            "  - debounce: needs job state (the key is an item in the job table), so it cannot go with idempotency: 'off'",
          ].join('\n'),
        ),
      }),
    );
  });

  it('says what is wrong with a unique option', () => {
    expect(() =>
      // @ts-expect-error a key that is not a function and an until that does not exist, on purpose
      defineJob({ name: 'u', schema, perform, unique: { key: 'id', until: 'done' } }),
    ).toThrow(
      [
        '  - unique.key: expected a function of the payload returning a string, received string',
        "  - unique.until: expected 'started', 'finished' or { for: '10m' }, received \"done\"",
      ].join('\n'),
    );
  });

  it('refuses unique with debounce, and debounce on a FIFO group', () => {
    expect(() =>
      defineJob({
        name: 'both',
        schema,
        perform,
        unique: { key: (p) => p.id, until: 'finished' },
        debounce: { key: (p) => p.id, wait: '1s' },
      }),
    ).toThrow(/unique and debounce: give one/);
    expect(() =>
      defineJob({
        name: 'fifo',
        schema,
        perform,
        group: (p) => p.id,
        debounce: { key: (p) => p.id, wait: '1s' },
      }),
    ).toThrow(/debounce: not on a FIFO queue/);
  });
});

describe('unique, debounce and expiresIn at enqueue', () => {
  const clock = createManualClock();
  const transport = createMemoryTransport({ clock, queues: ['default'] });

  it('refuses a key function that throws or returns no key as an invalid payload, and sends nothing', async () => {
    const job = defineJob({
      name: 'k',
      schema,
      perform,
      unique: {
        key: (p) => {
          if (p.id === 'boom') throw new Error('no key for boom');
          return p.id === 'empty' ? '' : p.id;
        },
        until: 'finished',
      },
    });
    const client = createClient({ transport, clock, store: createMemoryJobStore() });
    await expect(client.enqueue(job.with({ id: 'boom' }))).rejects.toMatchObject({
      code: 'WHARF_INVALID_PAYLOAD',
      message: expect.stringContaining('unique.key: the function threw: no key for boom'),
    });
    await expect(client.enqueue(job.with({ id: 'empty' }))).rejects.toMatchObject({
      code: 'WHARF_INVALID_PAYLOAD',
      message: expect.stringContaining(
        'unique.key: expected a string of 1-256 characters, the function returned ""',
      ),
    });
    expect(transport.nextVisibleAtMs('default')).toBeUndefined();
  });

  it('says a unique or debounced job needs a client with a store', async () => {
    const job = defineJob({ name: 'u', schema, perform, unique: { key: (p) => p.id, until: 'finished' } });
    await expect(createClient({ transport, clock }).enqueue(job.with({ id: 'x' }))).rejects.toMatchObject({
      code: 'WHARF_CONFIG',
      message: expect.stringMatching(
        /^job "u" has unique, which keeps its key in the job table, but this client has no job store/,
      ),
    });
  });

  it('refuses a delay for a debounced job, and a bad expiresIn for any job', async () => {
    const debounced = defineJob({ name: 'd', schema, perform, debounce: { key: (p) => p.id, wait: '5s' } });
    const client = createClient({
      transport,
      clock,
      store: createMemoryJobStore(),
      registry: createRegistry([debounced]),
    });
    await expect(client.enqueue(debounced.with({ id: 'x' }, { delay: '1m' }))).rejects.toMatchObject({
      message: expect.stringContaining(
        'delay/at: a debounced job runs `wait` after the last enqueue of its burst',
      ),
    });
    await expect(client.enqueue(debounced.with({ id: 'x' }, { expiresIn: '40d' }))).rejects.toMatchObject({
      message: expect.stringContaining('expiresIn: must be between 1s and 30d'),
    });
  });

  it("dates an expiry from when the job is due, and an enqueue's own expiresIn wins over the job's", async () => {
    const job = defineJob({ name: 'e', schema, perform, expiresIn: '1h' });
    const client = createClient({ transport, clock });
    const now = clock.nowMs();
    expect((await client.enqueue(job.with({ id: 'x' }, { delay: '10m' }))).expiresAtMs).toBe(
      now + 600_000 + 3_600_000,
    );
    expect((await client.enqueue(job.with({ id: 'x' }, { expiresIn: '5m' }))).expiresAtMs).toBe(
      now + 300_000,
    );
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import type { Enqueuer } from '../../src/client/types';
import { defineJob } from '../../src/define-job';
import { decodeEnvelope, MAX_ENQUEUE_BYTES } from '../../src/envelope/decode';
import { ATTR } from '../../src/envelope/envelope';
import {
  EnqueueFailedError,
  InvalidOptionsError,
  InvalidPayloadError,
  SchedulerError,
  WharfError,
} from '../../src/errors';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { createMemoryScheduler } from '../../src/schedule/memory-scheduler';
import { createMemoryTransport, type MemoryTransport } from '../../src/transport/memory';
import { SQS_LIMITS } from '../../src/transport/message-limits';

const signup = defineJob({
  name: 'sendWelcome',
  schema: z.object({ userId: z.string(), locale: z.enum(['en', 'fr']) }),
  perform: () => undefined,
});
const charge = defineJob({
  name: 'chargeCard',
  schema: z.object({ orderId: z.string(), cents: z.number().int() }),
  jobId: (p) => p.orderId,
  perform: () => undefined,
});
const report = defineJob({
  name: 'buildReport',
  queue: 'reports',
  schema: z.object({ reportId: z.string() }),
  perform: () => undefined,
});
const anything = defineJob({ name: 'anything', schema: z.unknown(), perform: () => undefined });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('createClient', () => {
  let clock: ManualClock;
  let transport: MemoryTransport;
  let client: Enqueuer;
  const sent = (queue = 'default') => transport.peek(queue);

  beforeEach(() => {
    clock = createManualClock(Date.UTC(2026, 10, 25, 12));
    transport = createMemoryTransport({ clock, queues: ['default', 'reports'] });
    client = createClient({ transport, clock });
  });

  describe('enqueue', () => {
    it('sends one envelope with the job name and id as attributes', async () => {
      const job = await client.enqueue(signup.with({ userId: 'u1', locale: 'en' }));
      expect(job).toEqual({
        outcome: 'enqueued',
        jobId: expect.any(String),
        jobName: 'sendWelcome',
        queue: 'default',
        messageId: expect.any(String),
        runAtMs: clock.nowMs(),
        via: 'queue',
      });
      const [message] = sent();
      expect(sent()).toHaveLength(1);
      expect(message!.messageId).toBe(job.messageId);
      expect(message!.attributes).toEqual({
        [ATTR.job]: 'sendWelcome',
        [ATTR.jobId]: job.jobId,
        [ATTR.attempt]: '1',
      });
      expect(decodeEnvelope(message!.body)).toEqual({
        ok: true,
        envelope: {
          v: 1,
          id: job.jobId,
          job: 'sendWelcome',
          payload: { userId: 'u1', locale: 'en' },
          attempt: 1,
          createdAtMs: clock.nowMs(),
          enqueuedAtMs: clock.nowMs(),
        },
      });
    });

    it('refuses an invalid payload with every issue listed, and sends nothing', async () => {
      const error = await rejection(client.enqueue(signup.with({ userId: 7, locale: 'de' } as never)));
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect(error).toMatchObject({ code: 'WHARF_INVALID_PAYLOAD', jobName: 'sendWelcome' });
      expect((error as InvalidPayloadError).issues).toEqual([
        expect.stringMatching(/^userId: /),
        expect.stringMatching(/^locale: /),
      ]);
      expect((error as Error).message).toMatch(
        /^Invalid payload for job "sendWelcome" \(2 problems\):\n {2}- userId: /,
      );
      expect(sent()).toEqual([]);
    });

    it('refuses an unknown enqueue option and lists payload problems with it', async () => {
      const error = await rejection(
        client.enqueue(signup.with({ userId: 'u1' } as never, { priorty: 'high' } as never)),
      );
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).problems).toEqual([
        'unknown enqueue option "priorty" (known: delay, at, jobId, priority, expiresIn)',
        expect.stringMatching(/^payload: locale: /),
      ]);
      expect(sent()).toEqual([]);
    });

    it('refuses delay and at together', async () => {
      const error = await rejection(
        client.enqueue(signup.with({ userId: 'u1', locale: 'en' }, { delay: '5m', at: new Date() })),
      );
      expect((error as InvalidOptionsError).problems).toEqual(['give either "delay" or "at", not both']);
      expect(sent()).toEqual([]);
    });

    it.each([
      [
        'a delay without a unit',
        { delay: 30 },
        /^delay: .*received the number 30 \(add a unit, e\.g\. "30s"\)$/,
      ],
      ['an invalid date', { at: new Date('nope') }, /^at: expected a valid Date, received Invalid Date$/],
      ['a date given as a string', { at: '2026-12-01' }, /^at: expected a valid Date, received 2026-12-01$/],
    ])('refuses %s', async (_what, options, problem) => {
      const error = await rejection(
        client.enqueue(signup.with({ userId: 'u1', locale: 'en' }, options as never)),
      );
      expect((error as InvalidOptionsError).problems).toEqual([expect.stringMatching(problem)]);
      expect(sent()).toEqual([]);
    });

    it.each([
      ['a BigInt', { n: 10n }, 'payload is not JSON-serializable: Do not know how to serialize a BigInt'],
      ['a function', () => 1, 'payload is not JSON-serializable (undefined or a function)'],
      ['undefined', undefined, 'payload is not JSON-serializable (undefined or a function)'],
    ])('refuses a payload that is %s, before sending anything', async (_what, payload, problem) => {
      const error = await rejection(client.enqueue(anything.with(payload)));
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect((error as InvalidPayloadError).issues).toEqual([problem]);
      expect(sent()).toEqual([]);
    });

    // Issue 12: these passed at enqueue and were then dead-lettered by the worker as hostile-input.
    it.each([
      [
        'nested deeper than the worker reads',
        JSON.parse(`${'['.repeat(64)}${']'.repeat(64)}`),
        'payload is refused: nesting deeper than 63 levels',
      ],
      [
        'with an own __proto__ key',
        JSON.parse('{"a":1,"__proto__":{"x":1}}'),
        'payload is refused: it carries a "__proto__" key (prototype pollution)',
      ],
      [
        'with constructor.prototype',
        { constructor: { prototype: { x: 1 } } },
        'payload is refused: it carries "constructor.prototype" (prototype pollution)',
      ],
    ])('refuses a payload %s, as the worker would dead-letter it', async (_what, payload, problem) => {
      const error = await rejection(client.enqueue(anything.with(payload)));
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect((error as InvalidPayloadError).issues).toEqual([problem]);
      expect(sent()).toEqual([]);
    });

    it('accepts nesting up to the limit and a "constructor" key that is only a word', async () => {
      await client.enqueue(anything.with(JSON.parse(`${'['.repeat(63)}${']'.repeat(63)}`)));
      await client.enqueue(anything.with({ constructor: 'Function', note: 'constructor' }));
      expect(sent()).toHaveLength(2);
    });

    it('sends U+FFFE and U+FFFF escaped: SQS refuses them in a body, JSON.stringify writes them as they are', async () => {
      const text = 'a\ufffeb\uffffc';
      await client.enqueue(anything.with({ text }));
      const [message] = sent();
      expect(message!.body).not.toMatch(/[\ufffe\uffff]/);
      expect(message!.body).toContain('a\\ufffeb\\uffffc');
      expect(JSON.parse(message!.body).payload).toEqual({ text });
    });

    it('refuses a circular payload', async () => {
      const payload: Record<string, unknown> = {};
      payload.self = payload;
      const error = await rejection(client.enqueue(anything.with(payload)));
      expect((error as InvalidPayloadError).issues).toEqual([
        expect.stringMatching(/^payload is not JSON-serializable: Converting circular structure to JSON/),
      ]);
    });

    it('validates the payload as the worker will see it (a Date becomes a string)', async () => {
      const when = defineJob({ name: 'when', schema: z.object({ at: z.date() }), perform: () => undefined });
      const error = await rejection(client.enqueue(when.with({ at: new Date() })));
      expect(error).toBeInstanceOf(InvalidPayloadError);
      expect(sent()).toEqual([]);
    });

    it('refuses a payload too large for one SQS message, naming the limit', async () => {
      const error = await rejection(
        client.enqueue(anything.with({ blob: 'x'.repeat(SQS_LIMITS.maxMessageBytes) })),
      );
      expect(error).toBeInstanceOf(InvalidPayloadError);
      const accepted = MAX_ENQUEUE_BYTES;
      expect((error as InvalidPayloadError).issues).toEqual([
        expect.stringMatching(
          new RegExp(
            `^payload is too large: the message would be \\d+ bytes; wharf accepts ${accepted} \\(SQS's `,
          ),
        ),
      ]);
      expect(sent()).toEqual([]);
    });

    it('keeps room for the retry and dead-letter story: a payload that fits SQS but not that room is refused', async () => {
      const almost = 'x'.repeat(MAX_ENQUEUE_BYTES);
      await expect(client.enqueue(anything.with({ blob: almost }))).rejects.toThrow(/payload is too large/);
      await client.enqueue(anything.with({ blob: almost.slice(0, -1000) }));
      expect(sent()).toHaveLength(1);
    });

    it('counts the size in bytes: multi-byte characters fill a message sooner', async () => {
      // 400k characters, 1.2 MB: under the limit by characters, over it by bytes.
      const error = await rejection(client.enqueue(anything.with({ text: '✓'.repeat(400_000) })));
      expect((error as InvalidPayloadError).issues[0]).toMatch(/^payload is too large/);
      expect(sent()).toEqual([]);
    });

    it('derives the job id from the payload as name:key when the job has a jobId function', async () => {
      const job = await client.enqueue(charge.with({ orderId: 'o-42', cents: 100 }));
      expect(job.jobId).toBe('chargeCard:o-42');
      expect(sent()[0]!.attributes[ATTR.jobId]).toBe('chargeCard:o-42');
      const again = await client.enqueue(charge.with({ orderId: 'o-42', cents: 100 }));
      expect(again.jobId).toBe(job.jobId);
    });

    it('uses an explicit jobId over the derived one', async () => {
      const job = await client.enqueue(charge.with({ orderId: 'o-42', cents: 1 }, { jobId: 'refund-7' }));
      expect(job.jobId).toBe('refund-7');
      expect(JSON.parse(sent()[0]!.body).id).toBe('refund-7');
    });

    it('gives a fresh random id to each enqueue of a job without a jobId function', async () => {
      const a = await client.enqueue(signup.with({ userId: 'u1', locale: 'en' }));
      const b = await client.enqueue(signup.with({ userId: 'u1', locale: 'en' }));
      expect(a.jobId).not.toBe(b.jobId);
      expect(a.jobId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each([
      ['empty', ''],
      ['over 512 characters', 'i'.repeat(513)],
      ['carrying a control character', 'a\nb'],
    ])('refuses an explicit jobId that is %s', async (_what, jobId) => {
      const error = await rejection(client.enqueue(signup.with({ userId: 'u1', locale: 'en' }, { jobId })));
      expect((error as InvalidOptionsError).problems).toEqual([
        `jobId: expected 1-512 printable characters, received ${JSON.stringify(jobId)}`,
      ]);
      expect(sent()).toEqual([]);
    });

    it("reports a jobId function that throws, with the job's message", async () => {
      const broken = defineJob({
        name: 'broken',
        schema: z.object({}),
        jobId: () => {
          throw new Error('no key');
        },
        perform: () => undefined,
      });
      const error = await rejection(client.enqueue(broken.with({})));
      expect((error as InvalidOptionsError).problems).toEqual([
        "jobId: the job's jobId function threw: no key",
      ]);
      expect(sent()).toEqual([]);
    });

    it.each([
      ['a string', 'no key', 'no key'],
      ['null', null, 'null'],
      ['an object without a prototype', Object.create(null), '[object Object]'],
    ])(
      'reports a jobId function that throws %s as an option problem, not a TypeError',
      async (_what, thrown, shown) => {
        const broken = defineJob({
          name: 'broken',
          schema: z.object({}),
          jobId: () => {
            throw thrown;
          },
          perform: () => undefined,
        });
        const error = await rejection(client.enqueue(broken.with({})));
        expect(error).toBeInstanceOf(InvalidOptionsError);
        expect((error as InvalidOptionsError).problems).toEqual([
          `jobId: the job's jobId function threw: ${shown}`,
        ]);
        expect(sent()).toEqual([]);
      },
    );

    it('delays by SQS DelaySeconds up to 15 minutes, and carries runAtMs beyond that', async () => {
      const now = clock.nowMs();
      const soon = await client.enqueue(signup.with({ userId: 'u1', locale: 'en' }, { delay: '90s' }));
      const later = await client.enqueue(
        signup.with({ userId: 'u2', locale: 'en' }, { at: new Date(now + 7_200_000) }),
      );
      expect(soon.runAtMs).toBe(now + 90_000);
      expect(later.runAtMs).toBe(now + 7_200_000);
      const [first, second] = sent();
      expect(first!.visibleAtMs - first!.sentAtMs).toBe(90_000);
      expect(JSON.parse(first!.body)).not.toHaveProperty('runAtMs');
      expect(second!.visibleAtMs - second!.sentAtMs).toBe(900_000);
      expect(JSON.parse(second!.body).runAtMs).toBe(now + 7_200_000);
    });

    it('sends a job whose time has passed at once, reporting now as its due time', async () => {
      const job = await client.enqueue(signup.with({ userId: 'u1', locale: 'en' }, { at: new Date(0) }));
      expect(job.runAtMs).toBe(clock.nowMs());
      expect(sent()[0]!.visibleAtMs).toBe(clock.nowMs());
    });

    it('throws WHARF_ENQUEUE_FAILED when the transport does not confirm the send', async () => {
      transport.failNextSends(1, { code: 'InternalError' });
      const error = await rejection(client.enqueue(signup.with({ userId: 'u1', locale: 'en' })));
      expect(error).toBeInstanceOf(WharfError);
      expect(error).toMatchObject({ code: 'WHARF_ENQUEUE_FAILED' });
      expect((error as Error).message).toMatch(
        /^Could not enqueue sendWelcome [0-9a-f-]{36}: InternalError: Injected send failure/,
      );
      expect(sent()).toEqual([]);
    });

    it('fails the send when the scheduler fails a far job, with its error as cause, and hops nothing to SQS', async () => {
      const refusal = new SchedulerError('CreateSchedule failed: ThrottlingException');
      const scheduler = createMemoryScheduler({ transport, clock });
      const refusing = createClient({
        transport,
        clock,
        scheduler: { ...scheduler, scheduleAt: () => Promise.reject(refusal) },
      });
      const error = await rejection(
        refusing.enqueue(signup.with({ userId: 'u1', locale: 'en' }, { delay: '3d' })),
      );
      expect(error).toBeInstanceOf(EnqueueFailedError);
      expect((error as Error).cause).toBe(refusal);
      expect(sent()).toEqual([]);
    });
  });

  describe('enqueueMany', () => {
    it('sends every job and reports them in input order', async () => {
      const result = await client.enqueueMany(
        Array.from({ length: 25 }, (_, i) => charge.with({ orderId: `o-${i}`, cents: i })),
      );
      expect(result.failed).toEqual([]);
      expect(result.enqueued.map((j) => j.jobId)).toEqual(
        Array.from({ length: 25 }, (_, i) => `chargeCard:o-${i}`),
      );
      expect(sent().map((m) => JSON.parse(m.body).id)).toEqual(result.enqueued.map((j) => j.jobId));
      expect(new Set(result.enqueued.map((j) => j.messageId)).size).toBe(25);
    });

    it('sends nothing when one job is invalid, and lists every problem as "#index name: problem"', async () => {
      const error = await rejection(
        client.enqueueMany([
          charge.with({ orderId: 'o-1', cents: 1 }),
          charge.with({ orderId: 'o-2', cents: 1.5 }),
          signup.with({ userId: 'u1', locale: 'en' }, { wait: '1m' } as never),
          report.with({ reportId: 'r-1' }),
        ]),
      );
      // An option problem among them makes it an options error, as a single enqueue with one would be.
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error).toMatchObject({ code: 'WHARF_INVALID_OPTIONS' });
      expect((error as InvalidOptionsError).problems).toEqual([
        expect.stringMatching(/^#1 chargeCard: cents: /),
        '#2 sendWelcome: unknown enqueue option "wait" (known: delay, at, jobId, priority, expiresIn)',
      ]);
      expect((error as Error).message).toMatch(
        /^Invalid bulk enqueue \(2 of 4 jobs invalid; nothing was sent\):/,
      );
      expect(sent()).toEqual([]);
      expect(sent('reports')).toEqual([]);
    });

    it('reports send failures per item and lists as enqueued only what the transport confirmed', async () => {
      transport.failNextSends(2, { code: 'ThrottlingException' });
      const requests = Array.from({ length: 5 }, (_, i) => charge.with({ orderId: `o-${i}`, cents: i }));
      const result = await client.enqueueMany(requests);
      expect(result.failed.map((f) => [f.index, f.jobName, f.jobId, f.error.code])).toEqual([
        [0, 'chargeCard', 'chargeCard:o-0', 'WHARF_ENQUEUE_FAILED'],
        [1, 'chargeCard', 'chargeCard:o-1', 'WHARF_ENQUEUE_FAILED'],
      ]);
      expect(result.failed[0]!.error.message).toBe(
        'ThrottlingException: Injected send failure (failNextSends)',
      );
      expect(result.enqueued.map((j) => j.jobId)).toEqual([
        'chargeCard:o-2',
        'chargeCard:o-3',
        'chargeCard:o-4',
      ]);
      expect(sent().map((m) => JSON.parse(m.body).id)).toEqual(result.enqueued.map((j) => j.jobId));
    });

    it('reports every item as failed when the transport throws, and none as enqueued', async () => {
      const throwing = createClient({
        clock,
        transport: {
          send: async () => {
            throw new Error('socket hang up');
          },
          sendToDeadLetter: async () => undefined,
        },
      });
      const result = await throwing.enqueueMany([
        charge.with({ orderId: 'a', cents: 1 }),
        charge.with({ orderId: 'b', cents: 1 }),
      ]);
      expect(result.enqueued).toEqual([]);
      expect(result.failed.map((f) => [f.index, f.error.message])).toEqual([
        [0, 'TransportError: socket hang up'],
        [1, 'TransportError: socket hang up'],
      ]);
      for (const failure of result.failed) {
        expect(failure.error).toMatchObject({ name: 'EnqueueFailedError', code: 'WHARF_ENQUEUE_FAILED' });
        expect((failure.error.cause as Error).message).toBe('socket hang up');
      }
    });

    it('sends jobs of different queues to their own queues in one call, keeping input order in the result', async () => {
      const result = await client.enqueueMany([
        report.with({ reportId: 'r-1' }),
        charge.with({ orderId: 'o-1', cents: 1 }),
        report.with({ reportId: 'r-2' }),
        signup.with({ userId: 'u1', locale: 'fr' }, { delay: '1m' }),
      ]);
      expect(result.failed).toEqual([]);
      expect(result.enqueued.map((j) => [j.jobName, j.queue])).toEqual([
        ['buildReport', 'reports'],
        ['chargeCard', 'default'],
        ['buildReport', 'reports'],
        ['sendWelcome', 'default'],
      ]);
      expect(sent('reports').map((m) => JSON.parse(m.body).payload.reportId)).toEqual(['r-1', 'r-2']);
      expect(sent('default').map((m) => JSON.parse(m.body).job)).toEqual(['chargeCard', 'sendWelcome']);
      expect(result.enqueued[3]!.runAtMs).toBe(clock.nowMs() + 60_000);
    });

    it('reports a failure on one queue without affecting the other', async () => {
      const failing = createClient({
        clock,
        transport: {
          send: (queue, messages) =>
            queue === 'reports'
              ? Promise.reject(new Error('queue does not exist'))
              : transport.send(queue, messages),
          sendToDeadLetter: async () => undefined,
        },
      });
      const result = await failing.enqueueMany([
        report.with({ reportId: 'r-1' }),
        charge.with({ orderId: 'o-1', cents: 1 }),
      ]);
      expect(result.failed.map((f) => [f.index, f.jobName])).toEqual([[0, 'buildReport']]);
      expect(result.enqueued.map((j) => j.jobName)).toEqual(['chargeCard']);
    });

    it('returns empty lists for an empty request', async () => {
      await expect(client.enqueueMany([])).resolves.toEqual({ enqueued: [], duplicates: [], failed: [] });
    });
  });
});

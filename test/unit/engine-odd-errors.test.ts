import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import { createEngine } from '../../src/engine/engine';
import { summarizeError } from '../../src/envelope/envelope';
import { createRegistry } from '../../src/job/registry';
import type { RetryPolicy } from '../../src/job/types';
import { createManualClock } from '../../src/local/manual-clock';
import { createMemoryTransport } from '../../src/transport/memory';

/** Odd things a job (or a library it calls) can throw. */
const oddThrows: [string, () => unknown][] = [
  ['an Error whose message is a number', () => Object.assign(new Error('x'), { message: 42 })],
  ['an Error without a name', () => Object.assign(new Error('x'), { name: undefined })],
  [
    'an Error whose stack is an object',
    () => {
      const error = new Error('x');
      Object.defineProperty(error, 'stack', { value: { frames: [] } });
      return error;
    },
  ],
  [
    'an Error whose message getter throws',
    () => {
      const error = new Error('x');
      Object.defineProperty(error, 'message', {
        get() {
          throw new Error('no message for you');
        },
      });
      return error;
    },
  ],
  ['an object without a prototype', () => Object.create(null)],
  ['undefined', () => undefined],
];

/** One message through an engine whose only job throws what `make` returns. */
async function runOnce(make: () => unknown, retry: RetryPolicy = {}) {
  const clock = createManualClock();
  const transport = createMemoryTransport({ clock, queues: ['default'] });
  const job = defineJob({
    name: 'odd',
    schema: z.object({}),
    idempotency: 'off',
    retry,
    perform: () => {
      throw make();
    },
  });
  const engine = createEngine({ registry: createRegistry([job]), transport, clock, random: () => 0 });
  await createClient({ transport, clock }).enqueue(job.with({}));
  const [message] = await transport.receive('default', {
    maxMessages: 1,
    waitTimeSeconds: 0,
    visibilityTimeoutSeconds: 30,
  });
  const disposition = await engine.process(message!);
  if (disposition.action === 'ack') await transport.ack('default', [message!.receiptHandle]);
  return { disposition, transport };
}

describe('summarizeError', () => {
  it.each(oddThrows)('summarizes %s without throwing', (_what, make) => {
    const summary = summarizeError(make());
    expect(typeof summary.name).toBe('string');
    expect(typeof summary.message).toBe('string');
    expect(summary.stack === undefined || typeof summary.stack === 'string').toBe(true);
  });

  it('keeps name, message, code and the head of the stack of an ordinary error', () => {
    const error = Object.assign(new TypeError('amount is undefined'), { code: 'E_AMOUNT' });
    const summary = summarizeError(error);
    expect(summary).toMatchObject({ name: 'TypeError', message: 'amount is undefined', code: 'E_AMOUNT' });
    expect(summary.stack?.split('\n').length).toBeLessThanOrEqual(8);
  });

  it("keeps the cause's name, message and code, one level deep and without its stack", () => {
    const root = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    const error = new Error('charge failed', { cause: new Error('gateway down', { cause: root }) });
    expect(summarizeError(error).cause).toEqual({ name: 'Error', message: 'gateway down' });
    expect(summarizeError(new Error('wrapped', { cause: root })).cause).toEqual({
      name: 'Error',
      message: 'connect ETIMEDOUT',
      code: 'ETIMEDOUT',
    });
    expect(summarizeError(new Error('x', { cause: 'a string' })).cause).toEqual({
      name: 'NonError',
      message: 'a string',
    });
    expect(summarizeError(new Error('no cause'))).not.toHaveProperty('cause');
  });

  it('summarizes the error itself when reading its cause throws', () => {
    const error = new Error('outer');
    Object.defineProperty(error, 'cause', {
      get() {
        throw new Error('hostile getter');
      },
    });
    expect(summarizeError(error)).toMatchObject({ message: 'outer', cause: { name: 'UnreadableError' } });
  });
});

describe('the engine with a job that throws something odd', () => {
  it.each(oddThrows)(
    'schedules a retry when the job throws %s, instead of releasing the message',
    async (_w, make) => {
      const { disposition, transport } = await runOnce(make);
      expect(disposition).toEqual({ action: 'ack', outcome: 'retry-scheduled' });
      expect(transport.peek('default').map((m) => JSON.parse(m.body).attempt)).toEqual([2]);
    },
  );

  it('dead-letters with its story when a retryOn predicate throws, instead of releasing the message', async () => {
    const { disposition, transport } = await runOnce(() => new Error('no response'), {
      retryOn: [(error) => (error as { response: { status: number } }).response.status === 503],
    });
    expect(disposition).toEqual({ action: 'ack', outcome: 'dead-lettered' });
    const [dead] = transport.peekDeadLetters('default');
    expect(JSON.parse(dead!.body).deadLetter).toMatchObject({
      reason: 'permanent-error',
      error: { message: 'no response' },
    });
  });
});

// Issue 12 (S04): an error outside the job's own run (here a hook around each message) must not lose the message.
describe('an error outside the lifecycle', () => {
  it('releases the message as an internal error, with the error, when a hook around processing throws', async () => {
    const clock = createManualClock();
    const transport = createMemoryTransport({ clock, queues: ['default'] });
    const ran: string[] = [];
    const job = defineJob({
      name: 'fine',
      schema: z.object({}),
      idempotency: 'off',
      perform: () => void ran.push('ran'),
    });
    const events: unknown[] = [];
    const engine = createEngine({
      registry: createRegistry([job]),
      transport,
      clock,
      onEvent: (e) => events.push(e),
      aroundProcess: () => {
        throw new RangeError('hook broke');
      },
    });
    await createClient({ transport, clock }).enqueue(job.with({}));
    const [message] = await transport.receive('default', {
      maxMessages: 1,
      waitTimeSeconds: 0,
      visibilityTimeoutSeconds: 30,
    });
    expect(await engine.process(message!)).toEqual({ action: 'release', reason: 'internal error' });
    expect(ran).toEqual([]);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'released',
        why: 'internal error',
        error: expect.objectContaining({ name: 'RangeError', message: 'hook broke' }),
      }),
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_ENQUEUE_BYTES } from '../../src/envelope/decode';
import { serializeWithinLimit } from '../../src/envelope/fit';
import { createRegistry, defineJob } from '../../src/index';
import { createLocalEngine, createManualClock } from '../../src/local/index';
import { SQS_LIMITS } from '../../src/transport/message-limits';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('serializeWithinLimit', () => {
  const base = { v: 1 as const, id: 'j', job: 'big', attempt: 6, createdAtMs: 1, enqueuedAtMs: 1 };
  const failure = (attempt: number) => ({
    attempt,
    atMs: attempt,
    error: { name: 'Error', message: 'm'.repeat(1000), stack: 's'.repeat(200_000) },
  });

  it('leaves a message that fits untouched', () => {
    const envelope = { ...base, payload: { a: 1 }, failures: [failure(1)] };
    expect(serializeWithinLimit(envelope)).toBe(JSON.stringify(envelope));
  });

  it('drops stacks, then older failures, but keeps the payload and the newest failure', () => {
    const payload = { blob: 'x'.repeat(MAX_ENQUEUE_BYTES - 200) };
    const envelope = { ...base, payload, failures: [1, 2, 3, 4, 5].map(failure) };
    const body = serializeWithinLimit(envelope);
    expect(bytes(body)).toBeLessThanOrEqual(SQS_LIMITS.maxMessageBytes);
    const parsed = JSON.parse(body);
    expect(parsed.payload).toEqual(payload);
    expect(parsed.failures.at(-1)).toMatchObject({ attempt: 5, error: { name: 'Error' } });
  });
});

describe('a job whose payload nearly fills a message', () => {
  it('is still retried and dead-lettered with its story, never stuck on an oversize send', async () => {
    const big = defineJob({
      name: 'big',
      schema: z.object({ blob: z.string() }),
      idempotency: 'off',
      retry: { attempts: 6, backoff: { strategy: 'fixed', delay: '1s' } },
      perform() {
        // The largest story an error can leave: a 3,000-byte message, a long code, 8 stack lines of 2,000 chars.
        const error = new Error('✓'.repeat(1000));
        error.name = 'N'.repeat(200);
        throw Object.assign(error, {
          code: 'C'.repeat(200),
          stack: Array(8).fill('a'.repeat(250)).join('\n'),
        });
      },
    });
    const engine = createLocalEngine({
      registry: createRegistry([big]),
      clock: createManualClock(),
    });
    const blob = 'x'.repeat(MAX_ENQUEUE_BYTES - 500);
    await engine.client.enqueue(big.with({ blob }));
    const summary = await engine.runUntilIdle();
    expect(summary.byOutcome).toMatchObject({ retrying: 5, dead: 1 });
    const [dead] = engine.transport.peekDeadLetters('default');
    const body = JSON.parse(dead!.body);
    expect(body.payload.blob).toBe(blob);
    expect(body.deadLetter).toMatchObject({ reason: 'retries-exhausted', attempts: 6 });
    expect(body.failures.at(-1).attempt).toBe(6);
    engine.close();
  });
});

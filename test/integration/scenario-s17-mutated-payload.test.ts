import type { StandardSchemaV1 } from '@standard-schema/spec';
import { afterEach, describe, expect, it } from 'vitest';
import { defineJob, type JobDefinition, type JobEvent } from 'wharf-jobs';
import { z } from 'zod';
import type { IdempotencyMode } from '../../src/job/types';
import { embeddedHarness } from '../helpers/harness/embedded';
import { motoHarness } from '../helpers/harness/moto';
import { testingHarness } from '../helpers/harness/testing';
import type { HarnessEnv } from '../helpers/harness/types';

/**
 * S17 (reliability-anchors §7): `perform` changes the payload object it was given (adds, changes and deletes
 * fields, top level and nested), then fails or succeeds. The job's identity and its story must stay those of the
 * payload as enqueued: the retry runs with the original payload, the job record and the dead letter carry it, and
 * a duplicate after success is a duplicate. Whether the object `perform` gets is a copy depends on the schema
 * (zod copies the objects it parses, but hands `z.unknown()` values through; a validate-only Standard Schema
 * returns its input), so each kind of schema is run.
 */

interface Order {
  orderId: string;
  items: { sku: string; qty: number }[];
  meta: { keep: string };
  note?: string;
}

const ORIGINAL: Order = {
  orderId: 'o-17',
  items: [{ sku: 'sku-1', qty: 1 }],
  meta: { keep: 'as enqueued' },
  note: 'leave at the door',
};

function isOrder(value: unknown): value is Order {
  const o = value as Partial<Order> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.orderId === 'string' &&
    Array.isArray(o.items) &&
    typeof o.meta === 'object' &&
    o.meta !== null
  );
}

const schemas: { readonly kind: string; readonly schema: StandardSchemaV1<Order, unknown> }[] = [
  {
    kind: 'a zod object schema (parses into new objects at every level)',
    schema: z.object({
      orderId: z.string(),
      items: z.array(z.object({ sku: z.string(), qty: z.number() })),
      meta: z.object({ keep: z.string() }),
      note: z.string().optional(),
    }),
  },
  {
    kind: 'a zod object schema with a z.unknown() field (that value is handed through as it is)',
    schema: z.object({
      orderId: z.string(),
      items: z.array(z.object({ sku: z.string(), qty: z.number() })),
      meta: z.unknown(),
      note: z.string().optional(),
    }) as StandardSchemaV1<Order, unknown>,
  },
  {
    kind: 'a validate-only Standard Schema (returns its input, as a JSON Schema validator does)',
    schema: {
      '~standard': {
        version: 1,
        vendor: 'wharf-test',
        validate: (value: unknown) =>
          isOrder(value) ? { value } : { issues: [{ message: 'not an order' }] },
      },
    },
  },
];

/** What a careless handler does to its input: every kind of change, top level and nested. */
function mutate(payload: unknown): void {
  const order = payload as Record<string, unknown>;
  order.orderId = 'mutated';
  order.added = true;
  delete order.note;
  const items = order.items as { sku: string; qty: number }[];
  items[0]!.qty = 999;
  items.push({ sku: 'added', qty: 1 });
  const meta = order.meta as Record<string, unknown>;
  meta.keep = 'mutated';
  meta.added = 1;
}

const types = (events: readonly JobEvent[]) => events.map((e) => e.type);

describe.each([embeddedHarness, motoHarness, testingHarness])(
  'S17 a handler that mutates its input, on the $name',
  (harness) => {
    let env: HarnessEnv | undefined;
    afterEach(async () => {
      await env?.teardown();
      env = undefined;
    });

    function orderJob(
      schema: StandardSchemaV1<Order, unknown>,
      idempotency: IdempotencyMode,
      failUntilAttempt: number,
      attempts: number,
    ) {
      const seen: unknown[] = [];
      const job = defineJob({
        name: 'fulfil-order',
        schema,
        idempotency,
        retry: { attempts, backoff: { strategy: 'fixed', delay: '1s' } },
        jobId: (p) => p.orderId,
        perform: (payload, ctx) => {
          seen.push(structuredClone(payload));
          mutate(payload);
          if (ctx.attempt < failUntilAttempt) throw new Error(`warehouse busy (attempt ${ctx.attempt})`);
          return { fulfilled: ctx.jobId };
        },
      });
      return { job: job as JobDefinition, seen, with: () => job.with(structuredClone(ORIGINAL)) };
    }

    describe.each(schemas)('with $kind', ({ schema }) => {
      it.each<IdempotencyMode>(['tracked', 'exactly-once'])(
        'retries a %s job that mutated its payload and failed with the payload as enqueued, and records that payload',
        async (idempotency) => {
          const order = orderJob(schema, idempotency, 2, 3);
          env = await harness.setup([order.job]);
          const { jobId } = await env.client.enqueue(order.with());
          expect(jobId).toBe('fulfil-order:o-17');
          await env.deliver();
          // The first attempt failed and its retry is sent: the record tells the job's story with the original.
          // Soft: each place the payload could leak into is reported on its own.
          expect.soft(await env.store.get(jobId, env.clock.nowMs())).toMatchObject({
            status: 'retrying',
            attempt: 1,
            payload: ORIGINAL,
          });
          await env.drain();
          // What attempt 2 was given is what the retry message carried.
          expect.soft(order.seen).toEqual([ORIGINAL, ORIGINAL]);
          expect.soft(await env.store.get(jobId, env.clock.nowMs())).toMatchObject({
            status: 'succeeded',
            attempt: 2,
            payload: ORIGINAL,
            result: { fulfilled: 'fulfil-order:o-17' },
          });
        },
      );

      it.each<IdempotencyMode>(['tracked', 'exactly-once'])(
        'dead-letters a %s job that mutated its payload on every attempt with the payload as enqueued',
        async (idempotency) => {
          const order = orderJob(schema, idempotency, 99, 2);
          env = await harness.setup([order.job]);
          const { jobId } = await env.client.enqueue(order.with());
          await env.drain();
          expect.soft(order.seen).toEqual([ORIGINAL, ORIGINAL]);
          const deadLetters = await env.deadLetters();
          expect(deadLetters).toHaveLength(1);
          expect.soft(JSON.parse(deadLetters[0]!.body)).toMatchObject({
            id: jobId,
            payload: ORIGINAL,
            deadLetter: { reason: 'retries-exhausted', attempts: 2 },
          });
          expect((await env.store.get(jobId, env.clock.nowMs()))?.payload).toEqual(ORIGINAL);
        },
      );

      it('treats a copy of an exactly-once job that mutated its payload and succeeded as a duplicate, under the key computed at enqueue', async () => {
        const order = orderJob(schema, 'exactly-once', 1, 3);
        env = await harness.setup([order.job]);
        const first = await env.client.enqueue(order.with());
        await env.drain();
        const again = await env.client.enqueue(order.with());
        expect(again.jobId).toBe(first.jobId);
        await env.drain();
        expect(order.seen).toEqual([ORIGINAL]);
        expect(types(env.events)).toEqual(['started', 'succeeded', 'duplicate']);
        expect(await env.store.get(first.jobId, env.clock.nowMs())).toMatchObject({
          status: 'succeeded',
          attempt: 1,
          payload: ORIGINAL,
          result: { fulfilled: 'fulfil-order:o-17' },
        });
      });
    });
  },
);

import type { StandardSchemaV1 } from '@standard-schema/spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineJob } from 'wharf-jobs';
import { MESSAGE_ATTRIBUTES as ATTR } from 'wharf-jobs/adapters';
import { z } from 'zod';
import type { Ops } from '../../src/ops/types';
import { embeddedWorld, motoWorld, type OpsWorld } from '../helpers/ops-worlds';

/**
 * S34 (reliability-anchors §7): a dead letter written by v1 of a job is redriven after v2 is deployed. v1 bills
 * `amount` in dollars; v2 takes `amountCents` and an explicit `schemaVersion`. "Deploying" switches the schema and
 * code the worker runs under the same job name (`deployed.version`), the way a new Lambda version would.
 * - v2 rejects v1: the ops retry with the app's registry leaves the dead letter in the DLQ, naming the issues; a
 *   redrive that skips that check (no registry, as a move task does) comes back to the DLQ as `invalid-payload`
 *   with the schema issues in `wharf.dlq.error`, and perform is never called.
 * - v2 upcasts v1 (a union with a transform, or a preprocess): the job runs with the upcast payload, the schema's
 *   output, not the v1 payload the message carries.
 */

const v1 = z.object({ orderId: z.string(), amount: z.number() });
const v2 = z.object({ schemaVersion: z.literal(2), orderId: z.string(), amountCents: z.number().int() });
const upcast = (p: z.infer<typeof v1>) => ({
  schemaVersion: 2 as const,
  orderId: p.orderId,
  amountCents: Math.round(p.amount * 100),
});
const SCHEMAS = {
  v1,
  v2,
  'v2 with a union upcaster': z.union([v2, v1.transform(upcast)]),
  'v2 with a preprocess upcaster': z.preprocess((value) => {
    const old = v1.safeParse(value);
    return old.success ? upcast(old.data) : value;
  }, v2),
};
type Version = keyof typeof SCHEMAS;

const deployed = {
  version: 'v1' as Version,
  broken: true,
  performed: [] as { version: Version; payload: unknown }[],
};

/** The schema of whichever version is deployed: the worker, the producer and ops all see the same one. */
const deployedSchema: StandardSchemaV1<unknown, unknown> = {
  '~standard': {
    version: 1,
    vendor: 'wharf-test-deploy',
    validate: (value) => SCHEMAS[deployed.version]['~standard'].validate(value),
  },
};

const billOrder = defineJob({
  name: 'bill-order',
  schema: deployedSchema,
  idempotency: 'exactly-once',
  retry: { attempts: 1 },
  perform: (payload) => {
    deployed.performed.push({ version: deployed.version, payload: structuredClone(payload) });
    if (deployed.broken) throw new Error('billing service down');
    return { billed: true };
  },
});

const V1_PAYLOAD = { orderId: 'o-34', amount: 12.5 };

/**
 * The engine's time when it last acted: records are read as of then. (Not Date.now(): the embedded world runs on
 * a manual clock that starts on a fixed date, and its records would read as expired a week after that date.)
 */
function engineNow(world: OpsWorld): number {
  const last = world.events.at(-1);
  if (!last) throw new Error('the engine has not acted yet');
  return last.atMs;
}

describe.each([embeddedWorld, motoWorld])(
  'S34 redrive after the job code changed, on the $name',
  (factory) => {
    let world: OpsWorld;
    let ops: Ops;
    beforeEach(async () => {
      deployed.version = 'v1';
      deployed.broken = true;
      deployed.performed = [];
      world = await factory.create([billOrder]);
      ops = world.ops();
    });
    afterEach(() => world.teardown());

    /** v1 enqueues the order and dead-letters it (billing down, one attempt); returns its job id. */
    async function deadUnderV1(): Promise<string> {
      const { jobId } = await world.client.enqueue(billOrder.with(V1_PAYLOAD));
      await world.drain();
      const [dead] = (await ops.deadLetters()).items;
      expect(dead).toMatchObject({ jobId, reason: 'retries-exhausted', payload: V1_PAYLOAD });
      deployed.performed = [];
      return jobId;
    }

    it('keeps a v1 dead letter in the DLQ when asked to retry it under a v2 that rejects it, naming the schema issues', async () => {
      const jobId = await deadUnderV1();
      deployed.version = 'v2';
      deployed.broken = false;
      const report = await ops.retry({ refs: [jobId] });
      expect(report.succeeded).toEqual([]);
      expect(report.failed).toEqual([
        expect.objectContaining({
          jobId,
          code: 'WHARF_INVALID_PAYLOAD',
          message: expect.stringMatching(/schemaVersion: .*amountCents: /),
        }),
      ]);
      expect((await ops.deadLetters()).items.map((d) => [d.jobId, d.reason])).toEqual([
        [jobId, 'retries-exhausted'],
      ]);
      expect(deployed.performed).toEqual([]);
    });

    it('sends a v1 dead letter redriven to v2 anyway back to the DLQ as invalid-payload, with the schema issues in wharf.dlq.error, never calling perform', async () => {
      const jobId = await deadUnderV1();
      deployed.version = 'v2';
      deployed.broken = false;
      // Without the registry, ops cannot check the payload first (a console redrive or a move task cannot either).
      const report = await world.ops({ registry: undefined }).retry({ refs: [jobId] });
      expect(report.succeeded).toEqual([expect.objectContaining({ jobId })]);
      await world.drain();
      expect(deployed.performed).toEqual([]);
      const [back, ...more] = (await ops.deadLetters()).items;
      expect(more).toEqual([]);
      expect(back).toMatchObject({
        jobId,
        reason: 'invalid-payload',
        payload: V1_PAYLOAD,
        error: { name: 'InvalidPayloadError', code: 'WHARF_INVALID_PAYLOAD' },
      });
      expect(back!.attributes[ATTR.reason]).toBe('invalid-payload');
      const errorAttribute = back!.attributes[ATTR.error] ?? '';
      expect(errorAttribute).toMatch(
        /^InvalidPayloadError \[WHARF_INVALID_PAYLOAD\]: Invalid payload for job "bill-order"/,
      );
      expect(errorAttribute).toMatch(/- schemaVersion: /);
      expect(errorAttribute).toMatch(/- amountCents: /);
      expect(await world.store.get(jobId, engineNow(world))).toMatchObject({ status: 'dead' });
    });

    it.each(['v2 with a union upcaster', 'v2 with a preprocess upcaster'] as const)(
      'runs a v1 dead letter redriven to %s with the upcast payload, the schema output',
      async (version) => {
        const jobId = await deadUnderV1();
        deployed.version = version;
        deployed.broken = false;
        const report = await ops.retry({ refs: [jobId] });
        expect(report.failed).toEqual([]);
        expect(report.succeeded).toEqual([expect.objectContaining({ jobId })]);
        await world.drain();
        expect(deployed.performed).toEqual([
          { version, payload: { schemaVersion: 2, orderId: 'o-34', amountCents: 1250 } },
        ]);
        expect((await ops.deadLetters()).items).toEqual([]);
        // The record keeps the payload the message carried: v1, as enqueued.
        expect(await world.store.get(jobId, engineNow(world))).toMatchObject({
          status: 'succeeded',
          attempt: 1,
          payload: V1_PAYLOAD,
          result: { billed: true },
        });
      },
    );
  },
);

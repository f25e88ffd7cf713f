import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { hasCode } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import type { IdempotencyMode } from '../../src/job/types';
import { createLocalEngine } from '../../src/local/local-engine';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import type { JobStore, StepMap } from '../../src/store/types';
import { countRequests, dynamoClient, RequestCounter, uniqueName } from '../helpers/aws';
import {
  claimedOf,
  claimInput,
  dynamoAdapter,
  expiresAtSecFrom,
  memoryAdapter,
  newJobId,
  succeedInput,
  T0,
} from '../helpers/job-store';
import { createSchedulerWorld, type SchedulerWorld } from '../helpers/scheduler-world';

const HOUR = 3_600_000;
const stepInput = (jobId: string, fence: number | undefined, steps: StepMap, nowMs = T0 + 500) => ({
  ...succeedInput(jobId, fence, { nowMs }),
  steps,
});

// The store side of durable steps (README "Durable steps"), held to one behaviour on both stores.
describe.each([memoryAdapter, dynamoAdapter])('durable steps in the JobStore ($name)', (adapter) => {
  let store: JobStore;
  beforeAll(async () => {
    ({ store } = await adapter.create());
  });

  it('keeps the steps a run wrote, and a later claim (a crashed run taken over) returns them', async () => {
    const jobId = newJobId();
    const first = claimedOf(await store.claim(claimInput(jobId)));
    await store.completeStep(
      stepInput(jobId, first.fence, { charge: { atMs: T0 + 1, result: { id: 'ch-1' } } }),
    );
    await store.completeStep(
      stepInput(jobId, first.fence, {
        charge: { atMs: T0 + 1, result: { id: 'ch-1' } },
        reserve: { atMs: T0 + 2 },
      }),
    );
    const taken = await store.claim(claimInput(jobId, { nowMs: first.leaseExpiresAtMs }));
    expect(taken).toMatchObject({
      kind: 'claimed',
      attempt: 2,
      fence: first.fence + 1,
      steps: { charge: { atMs: T0 + 1, result: { id: 'ch-1' } }, reserve: { atMs: T0 + 2 } },
    });
    // The run that lost the job cannot write a step over the new run's.
    await expect(
      store.completeStep(stepInput(jobId, first.fence, { late: { atMs: T0 + 3 } })),
    ).rejects.toSatisfy((e) => hasCode(e, 'WHARF_LEASE_LOST'));
    expect(Object.keys((await store.get(jobId, T0 + 40_000))?.steps ?? {})).toEqual(['charge', 'reserve']);
  });

  it('tracked mode: the first step creates a running record, and the outcome keeps the steps', async () => {
    const jobId = newJobId();
    await store.completeStep(stepInput(jobId, undefined, { one: { atMs: T0, result: 1 } }));
    expect(await store.get(jobId, T0 + 1)).toMatchObject({
      jobId,
      status: 'running',
      attempt: 1,
      steps: { one: { atMs: T0, result: 1 } },
    });
    await store.succeed(succeedInput(jobId, undefined, { result: 'ok' }));
    expect(await store.get(jobId, T0 + 2_000)).toMatchObject({
      status: 'succeeded',
      result: 'ok',
      steps: { one: { atMs: T0, result: 1 } },
    });
  });

  it('a redriven dead letter claims the job with its steps: they do not run again', async () => {
    const jobId = newJobId();
    const run = claimedOf(await store.claim(claimInput(jobId)));
    await store.completeStep(stepInput(jobId, run.fence, { charge: { atMs: T0 + 1, result: 'c' } }));
    await store.fail({
      ...succeedInput(jobId, run.fence),
      status: 'dead',
      error: { name: 'Error', message: 'warehouse down' },
      failures: [],
    });
    const redriven = await store.claim(claimInput(jobId, { nowMs: T0 + 60_000, isRedrive: true }));
    expect(redriven).toMatchObject({
      kind: 'claimed',
      attempt: 1,
      steps: { charge: { atMs: T0 + 1, result: 'c' } },
    });
  });

  it('a sleep puts the record back to queued for the same attempt, and the wake message claims it as that attempt', async () => {
    const jobId = newJobId();
    const run = claimedOf(await store.claim(claimInput(jobId)));
    const steps = {
      charge: { atMs: T0 + 1, result: 'c' },
      '~sleep:1': { atMs: T0 + 2, wakeAtMs: T0 + 2 * HOUR },
    };
    await store.suspend({
      ...succeedInput(jobId, run.fence, { nowMs: T0 + 2 }),
      steps,
      untilMs: T0 + 2 * HOUR,
      deferrals: 1,
    });
    expect(await store.get(jobId, T0 + 3)).toMatchObject({
      status: 'queued',
      attempt: 1,
      nextAttempt: 1,
      deferred: { why: 'sleep', untilMs: T0 + 2 * HOUR, count: 1 },
      steps,
    });
    const woken = await store.claim(
      claimInput(jobId, { nowMs: T0 + 2 * HOUR, expiresAtSec: expiresAtSecFrom(T0 + 2 * HOUR) }),
    );
    expect(woken).toMatchObject({ kind: 'claimed', attempt: 1, fence: run.fence + 1, steps });
  });
});

// Issue 17's acceptance on moto: a job that sleeps two hours continues after the clock passes it, with its
// attempt unchanged. The Lambda handler runs on moto's SQS and DynamoDB; the wake is a one-time schedule in moto's
// EventBridge Scheduler, which stores schedules but never fires them, so the firing is played as Scheduler
// performs it (SchedulerWorld.fire: the schedule's own target Input, sent to the queue).
describe('a durable sleep on AWS (moto server)', () => {
  let w: SchedulerWorld;
  let effects: string[];
  const fulfil = defineJob({
    name: 'fulfil-order',
    schema: z.object({ orderId: z.string() }),
    idempotency: 'exactly-once',
    async perform({ orderId }, ctx) {
      const charge = await ctx.step('charge', () => {
        effects.push(`charge ${orderId} attempt ${ctx.attempt}`);
        return { id: `ch-${orderId}` };
      });
      await ctx.sleep('2h');
      await ctx.step('ship', () => void effects.push(`ship ${charge.id} attempt ${ctx.attempt}`));
      return 'done';
    },
  });
  beforeEach(async () => {
    effects = [];
    w = await createSchedulerWorld([fulfil]);
  });
  afterEach(() => w.teardown());

  it('sleeps two hours in a schedule, holding nothing, and continues at step two with attempt 1', async () => {
    const { jobId } = await w.client.enqueue(fulfil.with({ orderId: 'o1' }, { jobId: 'order-o1' }));
    const start = w.clock.nowMs();
    await w.deliverAll();
    expect(effects).toEqual(['charge o1 attempt 1']);
    expect(await w.store.get(jobId, w.clock.nowMs())).toMatchObject({
      status: 'queued',
      attempt: 1,
      nextAttempt: 1,
      deferred: { why: 'sleep', untilMs: start + 2 * HOUR },
    });
    const wake = await w.getSchedule('job.order-o1');
    expect(JSON.parse(wake.Target!.Input!)).toMatchObject({
      id: jobId,
      attempt: 1,
      runAtMs: start + 2 * HOUR,
    });
    expect(await w.queueCounts()).toEqual({ visible: 0, delayed: 0 }); // nothing waits on SQS
    w.clock.advance(2 * HOUR);
    await w.fire('job.order-o1', w.clock.nowMs());
    await w.deliverAll();
    expect(effects).toEqual(['charge o1 attempt 1', 'ship ch-o1 attempt 1']);
    expect(await w.store.get(jobId, w.clock.nowMs())).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      result: 'done',
    });
    const types = w.events.filter((e) => e.jobId === jobId).map((e) => e.type);
    expect(types.filter((t) => t === 'started')).toHaveLength(2);
    expect(types).toContain('sleeping');
    expect(types).not.toContain('retrying');
  });
});

// What durable steps cost on DynamoDB, counted on moto: one write per step; an exactly-once claim returns the
// record, steps and all, so the run reads nothing; a tracked run reads the record once, at its first step.
describe.each([
  ['exactly-once', { UpdateItemCommand: 5, GetItemCommand: 0 }],
  ['tracked', { UpdateItemCommand: 4, GetItemCommand: 1 }],
] as const)('the DynamoDB requests of a three-step %s job', (mode: IdempotencyMode, expected) => {
  it(`makes ${expected.UpdateItemCommand} writes and ${expected.GetItemCommand} reads`, async () => {
    const client = dynamoClient();
    const tableName = uniqueName('steps-counts');
    await createJobTable(client, tableName);
    const counter = new RequestCounter();
    countRequests(client, counter);
    // The embedded engine also reads the `pauses` item now and then (README "Pause and resume"): only reads of
    // the job's record are the steps' to answer for.
    const recordReads: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: Record<string, { S?: string }> }).Key;
        const pk = key ? Object.values(key)[0]?.S : undefined;
        if (context.commandName === 'GetItemCommand' && pk?.startsWith('job#')) recordReads.push(pk);
        return next(args);
      },
      { step: 'initialize' },
    );
    const job = defineJob({
      name: 'three-small-steps',
      schema: z.object({ i: z.number() }),
      idempotency: mode,
      async perform({ i }, ctx) {
        for (let k = 1; k <= 3; k++) await ctx.step(`step-${k}`, () => ({ i, k }));
      },
    });
    const engine = createLocalEngine({
      registry: createRegistry([job]),
      store: createDynamoJobStore({ client, tableName }),
      installAsDefault: true,
    });
    try {
      const { jobId } = await job.performLater({ i: 1 });
      await engine.runUntilIdle();
      const record = await engine.store.get(jobId, engine.clock.nowMs());
      expect(record?.status).toBe('succeeded');
      expect(Object.keys(record?.steps ?? {})).toEqual(['step-1', 'step-2', 'step-3']);
      // The read just made above is the test's own.
      expect({
        UpdateItemCommand: counter.get('UpdateItemCommand'),
        GetItemCommand: recordReads.length - 1,
      }).toEqual(expected);
      expect(counter.get('PutItemCommand') + counter.get('TransactWriteItemsCommand')).toBe(0);
    } finally {
      engine.close();
      client.destroy();
    }
  });
});

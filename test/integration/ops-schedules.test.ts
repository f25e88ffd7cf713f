import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, createManualClock } from '../../src/local/index';
import { createAwsOps } from '../../src/ops/aws-ops';
import { createLocalOps } from '../../src/ops/local-ops';
import { defineRecurring, toRecurringSchedule } from '../../src/schedule/define-recurring';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import { motoEndpoint, schedulerClient, uniqueName } from '../helpers/aws';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { motoWorld, type OpsWorld } from '../helpers/ops-worlds';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/wharf-scheduler';
const nightlyShipping = defineRecurring({
  task: 'nightly-shipping',
  job: shipOrder,
  payload: { orderId: 'nightly' },
  schedule: 'every day at 2am',
  timeZone: 'Europe/Berlin',
  description: 'ships what came in during the day',
});

// Recurring schedules with their next runs, and "run now", through ops: from the embedded engine's scheduler
// and from EventBridge Scheduler (moto keeps schedules; it never fires them, which run-now does not need).
describe('ops schedules', () => {
  beforeEach(() => {
    shipping.reset();
    shipping.broken = false;
  });

  it('lists the embedded engine’s recurring tasks with their next runs, and runs one now', async () => {
    const registry = createRegistry([shipOrder], { recurring: [nightlyShipping] });
    const engine = createLocalEngine({
      registry,
      clock: createManualClock(Date.UTC(2026, 10, 25, 12)),
    });
    const ops = createLocalOps({ engine, registry });
    const { available, items } = await ops.schedules();
    expect(available).toBe(true);
    expect(items).toEqual([
      expect.objectContaining({
        name: 'nightly-shipping',
        kind: 'recurring',
        job: 'ship-order',
        timezone: 'Europe/Berlin',
        enabled: true,
        description: 'ships what came in during the day',
        nextRunsMs: [Date.UTC(2026, 10, 26, 1), Date.UTC(2026, 10, 27, 1), Date.UTC(2026, 10, 28, 1)],
      }),
    ]);
    const { jobId } = await ops.runSchedule('nightly-shipping');
    await engine.runUntilIdle();
    expect(shipping.effectsOf(jobId)).toBe(1);
    await expect(ops.runSchedule('no-such-task')).rejects.toSatisfy((e: Error) =>
      hasCode(e, 'WHARF_NOT_FOUND'),
    );
    engine.close();
  });

  describe('on EventBridge Scheduler (moto)', () => {
    let world: OpsWorld;
    let env: Record<string, string>;
    beforeEach(async () => {
      world = await motoWorld.create([shipOrder]);
      const groupName = uniqueName('wharf-ops');
      const client = schedulerClient();
      await client.send(new CreateScheduleGroupCommand({ Name: groupName }));
      env = { ...world.env, WHARF_SCHEDULE_GROUP: groupName, WHARF_SCHEDULER_ROLE_ARN: ROLE_ARN };
      const queues = {
        [world.queue]: { arn: env.WHARF_QUEUE_ARN_DEFAULT!, deadLetterArn: env.WHARF_DLQ_ARN_DEFAULT! },
      };
      await createEventBridgeScheduler({ client, groupName, roleArn: ROLE_ARN, queues }).upsertRecurring(
        toRecurringSchedule(nightlyShipping),
      );
      client.destroy();
    });
    afterEach(() => world.teardown());

    it('lists the schedules of the group the environment names, and runs one now through the queue', async () => {
      const ops = createAwsOps({ env, endpoint: motoEndpoint(), region: 'us-east-1' });
      const { items } = await ops.schedules();
      expect(items).toEqual([
        expect.objectContaining({
          name: 'nightly-shipping',
          kind: 'recurring',
          job: 'ship-order',
          enabled: true,
        }),
      ]);
      expect(items[0]?.nextRunsMs).toHaveLength(3);
      const { jobId } = await ops.runSchedule('nightly-shipping');
      await world.drain();
      expect(shipping.effectsOf(jobId)).toBe(1);
      ops.close();
    });
  });
});

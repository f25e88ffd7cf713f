import { CreateScheduleGroupCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../src/job/registry';
import type { JobCounts, JobDetail } from '../../src/ops/types';
import { createAwsRuntime } from '../../src/runtime/aws-runtime';
import { oneTimeScheduleName } from '../../src/schedule/schedule-names';
import { motoEndpoint, schedulerClient, uniqueName } from '../helpers/aws';
import { motoWharf } from '../helpers/moto-cli';
import { shipOrder, shipping } from '../helpers/ops-jobs';
import { motoWorld, type OpsWorld } from '../helpers/ops-worlds';

// `wharf cancel` and the job listings of the new statuses, launched from source against moto server (SQS,
// DynamoDB, EventBridge Scheduler), the jobs run in this process by the Lambda handler on what it receives. A
// cancellation on the queue is the DynamoDB store's requestCancel (the store slice of issue 16).
describe('wharf cancel against moto server', () => {
  let world: OpsWorld;
  let groupName: string;
  const roleArn = 'arn:aws:iam::123456789012:role/wharf-scheduler';
  const scheduleEnv = () => ({ WHARF_SCHEDULE_GROUP: groupName, WHARF_SCHEDULER_ROLE_ARN: roleArn });
  const launch = motoWharf(() => ({ ...world.env, ...scheduleEnv() }));
  const wharf = (...args: string[]) => launch(['--registry', 'test/fixtures/ops-registry.ts', ...args]);
  const scheduler = schedulerClient();

  beforeAll(async () => {
    world = await motoWorld.create([shipOrder]);
    groupName = uniqueName('wharf-cli-cancel');
    await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
  });
  afterAll(async () => {
    scheduler.destroy();
    await world.teardown();
  });
  beforeEach(() => shipping.reset());

  it('deletes the schedule of a job waiting in one, and says so', async () => {
    const env = { ...world.env, ...scheduleEnv(), AWS_ENDPOINT_URL: motoEndpoint(), AWS_REGION: 'us-east-1' };
    const producer = createAwsRuntime({ registry: createRegistry([shipOrder]), env });
    const waiting = await producer.client.enqueue(shipOrder.with({ orderId: 'later' }, { delay: '3h' }));
    producer.clients.close();
    expect(waiting.via).toBe('scheduler');

    const cancelled = await wharf('cancel', waiting.jobId, '--yes');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toBe(
      `cancelled job "${waiting.jobId}": its schedule was deleted before it fired, so it never runs\n`,
    );
    const name = oneTimeScheduleName(waiting.jobId);
    await expect(
      scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('cancels a job on its queue: it never runs, and the listings show it cancelled', async () => {
    shipping.broken = false;
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'o1' }));
    const asJson = await wharf('--json', 'cancel', jobId, '--yes');
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toEqual({ outcome: 'cancelled', jobId, where: 'queue' });

    await world.drain();
    expect(shipping.effectsOf(jobId)).toBe(0);
    const shown = await wharf('--json', 'jobs', 'show', jobId);
    expect((JSON.parse(shown.stdout) as JobDetail).record).toMatchObject({ status: 'cancelled', attempt: 0 });
    const listed = await wharf('jobs', '--status', 'cancelled');
    expect(listed.stdout).toMatch(
      new RegExp(`cancelled\\s+\\S+\\s+${jobId}\\s+0\\s+cancelled before it started`),
    );
    const counts = JSON.parse((await wharf('--json', 'jobs', 'counts')).stdout) as JobCounts;
    expect(counts.byStatus.cancelled).toBeGreaterThanOrEqual(1);
  });

  it('exits 6 for a job that has ended', async () => {
    shipping.broken = false;
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'o2' }));
    await world.drain();
    const refused = await wharf('cancel', jobId, '--yes');
    expect(refused.code).toBe(6);
    expect(refused.stdout).toBe(`did not cancel job "${jobId}"\nwhy: it had already ended (succeeded)\n`);
  });

  it('counts job records by status from the table', async () => {
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'o3' }));
    await world.drain();
    expect((await world.ops().job(jobId)).record?.status).toBe('dead');
    const counts = await wharf('--json', 'jobs', 'counts');
    expect(counts.code, counts.stderr).toBe(0);
    const parsed = JSON.parse(counts.stdout) as JobCounts;
    expect(parsed.complete).toBe(true);
    expect(parsed.byStatus.dead).toBeGreaterThanOrEqual(1);
    expect(Object.values(parsed.byStatus).reduce((a, b) => a + b, 0)).toBe(parsed.read);
    const table = await wharf('jobs', 'counts');
    expect(table.stdout).toMatch(/^STATUS\s+JOBS\n(\w+\s+\d+\n){8}\d+ job records? in all\n$/);
  });

  it('exits 2, saying what to configure, with neither a job table nor a schedule group', async () => {
    const bare = await launch(['cancel', 'o4', '--yes'], { WHARF_TABLE_NAME: '', WHARF_SCHEDULE_GROUP: '' });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/Nothing can be cancelled from here: no job table \(set WHARF_TABLE_NAME/);
  });
});

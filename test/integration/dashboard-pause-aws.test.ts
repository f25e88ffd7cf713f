import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfToken } from '../../src/dashboard/security';
import { type Dashboard, startDashboard } from '../../src/dashboard/server';
import { createRegistry } from '../../src/job/registry';
import { createOps } from '../../src/ops/create-ops';
import { lambdaQueueConsumers } from '../../src/ops/queue-consumers';
import { createScheduleSource } from '../../src/ops/schedules';
import { loadLambda } from '../../src/runtime/lambda-api';
import { defineRecurring, toRecurringSchedule } from '../../src/schedule/define-recurring';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import { recurringScheduleName } from '../../src/schedule/schedule-names';
import { createSqsQueueAdmin } from '../../src/transport/sqs/sqs-queue-admin';
import { motoEndpoint } from '../helpers/aws';
import { dashboardHttp, textOf } from '../helpers/dashboard-http';
import { createFunction, createMapping, mappingState } from '../helpers/lambda-consumers';
import { createMotoWorld, type MotoWorld, SCHEDULER_ROLE_ARN } from '../helpers/moto-world';
import { shipOrder, shipping } from '../helpers/ops-jobs';

const nightly = defineRecurring({
  task: 'nightly-shipping',
  job: shipOrder,
  payload: { orderId: 'nightly' },
  schedule: 'every day at 2am',
});

// The dashboard over ops on moto, as `wharf dashboard` runs against a deployed stack: a queue pause switches off
// the queue's Lambda event source mapping (moto keeps mappings; it runs no function code, which a pause never
// needs) and writes the pause item to the DynamoDB job table; a schedule pause sets State DISABLED in EventBridge
// Scheduler; and a job put off by a job-type pause, delivered to the Lambda handler from the moto queue (moto's
// mappings do not poll, so the test receives and invokes), shows its note on the job page.
describe('dashboard pause and resume over AWS ops on moto', () => {
  let world: MotoWorld;
  let lambda: LambdaClient;
  let mapping: string;
  let dashboard: Dashboard;
  let http: ReturnType<typeof dashboardHttp>;
  let csrf: string;
  const audit: string[] = [];

  beforeAll(async () => {
    world = await createMotoWorld([shipOrder], { scheduler: true });
    const fn = await createFunction('wharf-dash-pause');
    mapping = await createMapping(world.queue.arn, fn.name);
    lambda = new LambdaClient({
      endpoint: motoEndpoint(),
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const scheduler = createEventBridgeScheduler({
      client: world.producerScheduler!,
      groupName: world.groupName!,
      roleArn: SCHEDULER_ROLE_ARN,
      queues: { default: { arn: world.queue.arn, deadLetterArn: world.queue.deadLetterArn } },
    });
    await scheduler.upsertRecurring({ ...toRecurringSchedule(nightly), queue: 'default' });
    const ops = createOps({
      admin: createSqsQueueAdmin({
        client: world.sqs,
        queues: { default: { url: world.queue.url, deadLetterUrl: world.queue.deadLetterUrl } },
      }),
      store: world.store,
      registry: createRegistry([shipOrder]),
      schedules: createScheduleSource({ scheduler }),
      consumers: lambdaQueueConsumers({
        client: async () => lambda,
        api: loadLambda,
        arnsOf: (queue) => (queue === 'default' ? [world.queue.arn] : []),
      }),
    });
    dashboard = await startDashboard({ ops, audit: (line) => audit.push(line) });
    http = dashboardHttp(dashboard);
    csrf = csrfToken(dashboard.token);
  }, 60_000);
  afterAll(async () => {
    await dashboard?.close();
    lambda?.destroy();
    world?.teardown();
  });

  it('pauses a queue: its event source mapping is switched off and the pause is in the job table', async () => {
    const confirm = textOf((await http.get('/pause?kind=queue&name=default')).body);
    expect(confirm).toMatch(/Pause queue default\?.*Lambda event source mappings are switched off/);
    expect(await mappingState(mapping)).toBe('Enabled'); // the confirmation changed nothing

    const done = await http.post('/pause', {
      csrf,
      kind: 'queue',
      name: 'default',
      reason: 'warehouse closed',
      confirm: 'yes',
    });
    expect(done.status).toBe(200);
    const report = textOf(done.body);
    expect(report).toMatch(/Paused queue default\. paused since .*, warehouse closed/);
    expect(report).toContain(mapping);
    expect(await mappingState(mapping)).toBe('Disabled');
    expect(await world.store.listPauses(Date.now())).toEqual([
      expect.objectContaining({ kind: 'queue', name: 'default', reason: 'warehouse closed' }),
    ]);
    expect(textOf((await http.get('/queues')).body)).toMatch(
      /queue default paused since .*, warehouse closed Resume/,
    );

    const resumed = await http.post('/resume', { csrf, kind: 'queue', name: 'default', confirm: 'yes' });
    expect(textOf(resumed.body)).toMatch(/Resumed queue default\./);
    expect(await mappingState(mapping)).toBe('Enabled');
    expect(await world.store.listPauses(Date.now())).toEqual([]);
    expect(audit.slice(-2)).toEqual([
      'pause queue default (reason: warehouse closed): changed',
      'resume queue default: changed',
    ]);
  });

  it('pauses a recurring schedule: State DISABLED in Scheduler, shown paused on the schedules page', async () => {
    const name = recurringScheduleName(nightly.task);
    const read = () =>
      world.producerScheduler!.send(new GetScheduleCommand({ Name: name, GroupName: world.groupName! }));
    await http.post('/pause', { csrf, kind: 'schedule', name: nightly.task, confirm: 'yes' });
    expect((await read()).State).toBe('DISABLED');
    expect(textOf((await http.get('/schedules')).body)).toMatch(/nightly-shipping recurring .* paused since/);
    await http.post('/resume', { csrf, kind: 'schedule', name: nightly.task, confirm: 'yes' });
    expect((await read()).State).toBe('ENABLED');
    expect(textOf((await http.get('/schedules')).body)).toMatch(/nightly-shipping recurring .* enabled/);
  });

  it("shows a job put off by a job-type pause on the job's page: why, until when, how many times", async () => {
    shipping.reset();
    shipping.broken = false;
    await http.post('/pause', { csrf, kind: 'job', name: shipOrder.name, confirm: 'yes' });
    const { jobId } = await world.client.enqueue(shipOrder.with({ orderId: 'o-1' }));
    await world.deliver();
    const record = await world.store.get(jobId, Date.now());
    expect(record).toMatchObject({ status: 'queued', attempt: 0, deferred: { why: 'paused', count: 1 } });
    expect(shipping.effectsOf(jobId)).toBe(0);

    const page = textOf((await http.get(`/jobs/${encodeURIComponent(jobId)}`)).body);
    expect(page).toMatch(/Waiting put off: paused until \d\d:\d\d:\d\dZ, 1 time/);
    await http.post('/resume', { csrf, kind: 'job', name: shipOrder.name, confirm: 'yes' });
  });
});

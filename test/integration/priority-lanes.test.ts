import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deadLetterUrlVariable, lanesVariable, queueUrlVariable } from '../../src/config/env-config';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { createRegistry } from '../../src/job/registry';
import { createAwsOps } from '../../src/ops/aws-ops';
import { createAwsRuntime } from '../../src/runtime/aws-runtime';
import { createLambdaWorkerFromEnv } from '../../src/runtime/lambda-from-env';
import { createWorkerFromEnv } from '../../src/runtime/worker-from-env';
import type { Worker } from '../../src/worker/worker';
import { motoEndpoint, sqsClient } from '../helpers/aws';
import { fakeContext, pollOnce } from '../helpers/esm';
import { createQueuePair, messagesLeft, type QueuePair } from '../helpers/queues';

// The queue "jobs" with three lanes, as the construct deploys it: the default lane is the queue itself, and
// "high" and "low" are queues of their own, each with its own dead-letter queue.
const LANES = 'default:3,high:6,low:1';

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('priority lanes on moto (the worker process polling three lane queues)', () => {
  let sqs: SQSClient;
  let pairs: Record<'default' | 'high' | 'low', QueuePair>;
  let env: NodeJS.ProcessEnv;
  let worker: Worker | undefined;
  const ran: { lane: string; n: number }[] = [];
  const events: JobEvent[] = [];

  const work = defineJob({
    name: 'work',
    queue: 'jobs',
    idempotency: 'off',
    schema: z.object({ lane: z.string(), n: z.number().int() }),
    perform: ({ lane, n }) => {
      ran.push({ lane, n });
    },
  });
  const flaky = defineJob({
    name: 'flaky',
    queue: 'jobs',
    priority: 'low',
    idempotency: 'off',
    retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
    schema: z.object({}),
    perform: (_payload, ctx) => {
      if (ctx.attempt === 1) throw new Error('first attempt fails');
    },
  });
  const doomed = defineJob({
    name: 'doomed',
    queue: 'jobs',
    idempotency: 'off',
    retry: { attempts: 1 },
    schema: z.object({}),
    perform: () => {
      throw new Error('always fails');
    },
  });
  const registry = createRegistry([work, flaky, doomed]);

  beforeEach(async () => {
    sqs = sqsClient();
    ran.length = 0;
    events.length = 0;
    pairs = {
      default: await createQueuePair(sqs, { prefix: 'lanes-default', visibilityTimeoutSeconds: 30 }),
      high: await createQueuePair(sqs, { prefix: 'lanes-high', visibilityTimeoutSeconds: 30 }),
      low: await createQueuePair(sqs, { prefix: 'lanes-low', visibilityTimeoutSeconds: 30 }),
    };
    env = {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      [lanesVariable('jobs')]: LANES,
      [queueUrlVariable('jobs')]: pairs.default.url,
      [deadLetterUrlVariable('jobs')]: pairs.default.deadLetterUrl,
      [queueUrlVariable('jobs/high')]: pairs.high.url,
      [deadLetterUrlVariable('jobs/high')]: pairs.high.deadLetterUrl,
      [queueUrlVariable('jobs/low')]: pairs.low.url,
      [deadLetterUrlVariable('jobs/low')]: pairs.low.deadLetterUrl,
    };
  });

  afterEach(async () => {
    await worker?.stop(5_000);
    worker = undefined;
  });

  it('routes each enqueue to its lane’s queue through the environment contract', async () => {
    const { client } = createAwsRuntime({ registry, env });
    await client.enqueue(work.with({ lane: 'high', n: 0 }, { priority: 'high' }));
    await client.enqueue(work.with({ lane: 'default', n: 0 }));
    await client.enqueue(flaky.with({}));
    expect(await messagesLeft(sqs, pairs.high.url)).toBe(1);
    expect(await messagesLeft(sqs, pairs.default.url)).toBe(1);
    expect(await messagesLeft(sqs, pairs.low.url)).toBe(1);
    await expect(
      client.enqueue(work.with({ lane: 'x', n: 0 }, { priority: 'urgent' })),
    ).rejects.toMatchObject({
      code: 'WHARF_INVALID_OPTIONS',
      message: expect.stringContaining('its lanes: default, high, low'),
    });
  });

  it('runs a backlog in each lane by weight: the high lane’s jobs finish first, in proportion', async () => {
    const { client } = createAwsRuntime({ registry, env });
    const perLane = 10;
    for (const lane of ['high', 'default', 'low'] as const) {
      const result = await client.enqueueMany(
        Array.from({ length: perLane }, (_, n) => work.with({ lane, n }, { priority: lane })),
      );
      expect(result.failed).toEqual([]);
    }
    // One job at a time: each receive takes one message, so the run order is the order the lanes were served in.
    worker = createWorkerFromEnv({ registry, env, concurrency: 1 });
    void worker.run();
    await until(() => ran.length === 3 * perLane, 'every job to run');
    const lanes = ran.map((r) => r.lane);
    const count = (slice: string[], lane: string) => slice.filter((l) => l === lane).length;
    // The first ten turns with every lane full: 6 high, 3 default, 1 low.
    const first = lanes.slice(0, 10);
    expect([count(first, 'high'), count(first, 'default'), count(first, 'low')]).toEqual([6, 3, 1]);
    // High runs dry first, then default, and low (weight 1) still ran all along rather than starving.
    expect(lanes.lastIndexOf('high')).toBeLessThan(lanes.lastIndexOf('default'));
    expect(lanes.lastIndexOf('default')).toBeLessThan(lanes.lastIndexOf('low'));
    expect(lanes.indexOf('low')).toBeLessThan(10);
    // Each lane's jobs in the order they were sent (moto keeps a standard queue's order).
    for (const lane of ['high', 'default', 'low'])
      expect(ran.filter((r) => r.lane === lane).map((r) => r.n)).toEqual([...Array(perLane).keys()]);
  });

  it('keeps a job’s retry and its dead letter in its lane', async () => {
    const { client } = createAwsRuntime({ registry, env });
    await client.enqueue(flaky.with({}));
    await client.enqueue(doomed.with({}, { priority: 'high' }));
    worker = createWorkerFromEnv({ registry, env, concurrency: 2, onEvent: (e) => events.push(e) });
    void worker.run();
    await until(
      () => events.some((e) => e.type === 'succeeded' && e.jobName === 'flaky'),
      'the flaky job to succeed on its retry',
    );
    await until(() => events.some((e) => e.type === 'dead'), 'the doomed job to be dead-lettered');
    const of = (jobName: string) =>
      events.filter((e) => e.jobName === jobName).map((e) => `${e.type}@${e.queue}`);
    expect(of('flaky')).toEqual([
      'started@jobs/low',
      'retrying@jobs/low',
      'started@jobs/low',
      'succeeded@jobs/low',
    ]);
    expect(of('doomed')).toEqual(['started@jobs/high', 'dead@jobs/high']);
    // The dead letter is in the high lane's dead-letter queue, so a redrive returns it to the high lane.
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: pairs.high.deadLetterUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body!).job)).toEqual(['doomed']);
    expect(await messagesLeft(sqs, pairs.default.deadLetterUrl)).toBe(0);
    expect(await messagesLeft(sqs, pairs.low.deadLetterUrl)).toBe(0);
  });

  it('runs a Lambda batch from a lane’s event source mapping as that lane’s: its retry goes back to the lane', async () => {
    const { client } = createAwsRuntime({ registry, env });
    await client.enqueue(flaky.with({}, { priority: 'high' }));
    const handler = createLambdaWorkerFromEnv({
      registry,
      env: { ...env, WHARF_QUEUE: 'jobs' },
      onEvent: (e) => events.push(e),
    });
    // Lambda's mapping of the high lane's queue, played in-process (moto runs no Lambda code).
    const invocation = await pollOnce({
      sqs,
      queueUrl: pairs.high.url,
      queueArn: pairs.high.arn,
      handler: (event, context) => handler(event, context ?? fakeContext(60_000)),
    });
    expect(invocation.records).toHaveLength(1);
    expect(invocation.deleted).toBe(1);
    expect(events.map((e) => `${e.type}@${e.queue}`)).toEqual(['started@jobs/high', 'retrying@jobs/high']);
    expect(await messagesLeft(sqs, pairs.high.url)).toBe(1);
    expect(await messagesLeft(sqs, pairs.default.url)).toBe(0);
  });

  it('lists each lane’s queues in ops, and a redrive returns a dead letter to its own lane', async () => {
    const { client } = createAwsRuntime({ registry, env });
    await client.enqueue(doomed.with({}, { priority: 'low' }));
    worker = createWorkerFromEnv({ registry, env, concurrency: 3, onEvent: (e) => events.push(e) });
    void worker.run();
    await until(() => events.some((e) => e.type === 'dead'), 'the doomed job to be dead-lettered');
    await worker.stop(5_000);
    worker = undefined;
    // Without the registry too: an operator with the stack's outputs alone sees the lanes.
    for (const ops of [createAwsOps({ registry, env }), createAwsOps({ env })]) {
      const queues = await ops.queues();
      expect(queues.map((q) => q.queue)).toEqual(['jobs', 'jobs/high', 'jobs/low']);
    }
    const ops = createAwsOps({ registry, env });
    const queues = await ops.queues();
    expect(queues.find((q) => q.queue === 'jobs/low')?.jobs).toEqual(['work', 'flaky', 'doomed']);
    // The queue's name selects all its lanes; the dead letter says which lane it is in.
    const listed = await ops.deadLetters({ queue: 'jobs' });
    expect(listed.items.map((d) => [d.queue, d.jobName])).toEqual([['jobs/low', 'doomed']]);
    // moto has no message move tasks: `auto` falls back to copy-then-delete, into the lane the letter came from.
    const report = await ops.retry({ queue: 'jobs', all: true });
    expect(report.succeeded).toHaveLength(1);
    expect(await messagesLeft(sqs, pairs.low.url)).toBe(1);
    expect(await messagesLeft(sqs, pairs.low.deadLetterUrl)).toBe(0);
    expect(await messagesLeft(sqs, pairs.default.url)).toBe(0);
  });
});

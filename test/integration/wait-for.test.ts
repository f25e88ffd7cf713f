import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import { DiscardJobError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import { createSqsTransport } from '../../src/transport/sqs/index';
import { createWorker, type Worker } from '../../src/worker/index';
import { dynamoClient, sqsClient, uniqueName } from '../helpers/aws';
import { oneRequestAtATime } from '../helpers/job-store';
import { createQueuePair } from '../helpers/queues';

const order = z.object({ orderId: z.string(), workMs: z.number().int().min(0).default(0) });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const priceOrder = defineJob({
  name: 'wait-price-order',
  schema: order,
  idempotency: 'exactly-once',
  retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
  async perform({ orderId, workMs }) {
    await pause(workMs);
    if (orderId === 'broken') throw new TypeError('no price list');
    if (orderId === 'gone') throw new DiscardJobError('the order was deleted');
    return { orderId, totalCents: 4200 };
  },
});
const trackedReport = defineJob({
  name: 'wait-build-report',
  schema: order,
  async perform({ orderId, workMs }) {
    await pause(workMs);
    return { report: `r-${orderId}` };
  },
});
const registry = createRegistry([priceOrder, trackedReport]);

// The AWS path of issue 17's waitFor: a real worker (createWorker) polls SQS on moto and records outcomes in the
// job table on moto's DynamoDB, while a producer's client, with its own DynamoDB client, waits on the record.
describe('client.waitFor against a real worker on moto (SQS + DynamoDB)', () => {
  let worker: Worker;
  let running: Promise<void>;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    const sqs = sqsClient();
    const { url, deadLetterUrl } = await createQueuePair(sqs, { visibilityTimeoutSeconds: 30 });
    const tableName = uniqueName('wharf-wait');
    // moto does not serialise writes to one item as DynamoDB does; see oneRequestAtATime.
    const workerDynamo = oneRequestAtATime(dynamoClient());
    await createJobTable(workerDynamo, tableName);
    const queues = { default: { url, deadLetterUrl } };
    const transport = createSqsTransport({ client: sqs, queues });
    worker = createWorker({
      registry,
      consumer: transport,
      transport,
      store: createDynamoJobStore({ client: workerDynamo, tableName }),
      waitTimeSeconds: 1,
    });
    running = worker.run();
    client = createClient({
      transport: createSqsTransport({ client: sqsClient(), queues }),
      store: createDynamoJobStore({ client: dynamoClient(), tableName }),
      registry,
    });
  });
  afterAll(async () => {
    await worker.stop(1000);
    await running;
  });

  it('returns the result of a job the worker runs while the client waits (exactly-once and tracked)', async () => {
    const priced = await client.enqueue(priceOrder.with({ orderId: 'o-1', workMs: 300 }));
    const reported = await client.enqueue(trackedReport.with({ orderId: 'o-1', workMs: 300 }));
    const [price, report] = await Promise.all([
      client.waitFor(priceOrder, priced, { timeout: '20s' }),
      client.waitFor(trackedReport, reported.jobId, { timeout: '20s' }),
    ]);
    expect(price).toMatchObject({
      status: 'succeeded',
      jobId: priced.jobId,
      result: { orderId: 'o-1', totalCents: 4200 },
    });
    expect(report).toMatchObject({ status: 'succeeded', result: { report: 'r-o-1' } });
  });

  it('returns dead with the last error after the retries, and discarded with the discard error', async () => {
    const broken = await client.enqueue(priceOrder.with({ orderId: 'broken' }));
    const gone = await client.enqueue(priceOrder.with({ orderId: 'gone' }));
    const [dead, discarded] = await Promise.all([
      client.waitFor(broken, { timeout: '20s' }),
      client.waitFor(gone, { timeout: '20s' }),
    ]);
    expect(dead).toMatchObject({
      status: 'dead',
      reason: 'no price list',
      error: { name: 'TypeError', message: 'no price list' },
      record: { attempt: 2 },
    });
    expect(discarded).toMatchObject({
      status: 'discarded',
      reason: 'the order was deleted',
      error: { code: 'WHARF_DISCARD' },
    });
  });

  it('times out with the status last seen: running for a job still at work, none for one still on its queue', async () => {
    const slow = await client.enqueue(priceOrder.with({ orderId: 'o-slow', workMs: 4_000 }));
    const later = await client.enqueue(trackedReport.with({ orderId: 'o-later' }, { delay: '60s' }));
    // Waits until the worker has claimed the slow job, so the timeout below sees it running.
    for (let i = 0; i < 100; i++) {
      const seen = await client.waitFor(slow, { timeout: '0s' });
      if (seen.status === 'timeout' && seen.last === 'running') break;
      await pause(50);
    }
    const [stillRunning, stillQueued] = await Promise.all([
      client.waitFor(slow, { timeout: '1s' }),
      client.waitFor(later, { timeout: '1s' }),
    ]);
    expect(stillRunning).toMatchObject({ status: 'timeout', last: 'running' });
    expect(stillQueued).toMatchObject({ status: 'timeout', last: undefined });
    if (stillQueued.status === 'timeout') {
      expect(stillQueued.waitedMs).toBeGreaterThanOrEqual(1_000);
      expect(stillQueued.polls).toBeGreaterThan(1);
      expect(stillQueued.reason).toContain('no record of it was seen');
    }
    // The slow one still ends, and a wait long enough sees its result.
    expect(await client.waitFor(priceOrder, slow, { timeout: '20s' })).toMatchObject({ status: 'succeeded' });
  });

  it('stops at once on abort with the signal reason', async () => {
    const later = await client.enqueue(trackedReport.with({ orderId: 'o-abort' }, { delay: '60s' }));
    const controller = new AbortController();
    const waiting = client.waitFor(later, { timeout: '1h', signal: controller.signal });
    await pause(300);
    controller.abort(new Error('the request was cancelled'));
    await expect(waiting).rejects.toThrow('the request was cancelled');
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { defineJob } from '../../src/define-job';
import type { JobEvent } from '../../src/engine/events';
import { createRegistry } from '../../src/job/registry';
import { createMemoryJobStore } from '../../src/store/memory-store';
import type { JobStore } from '../../src/store/types';
import { createSqsTransport } from '../../src/transport/sqs/index';
import type { Consumer } from '../../src/transport/types';
import { createWorker, type Worker } from '../../src/worker/index';
import { sqsClient } from '../helpers/aws';
import { createQueuePair, messagesLeft } from '../helpers/queues';

const ran: { queue: string; n: number; attempt: number }[] = [];
const payments = defineJob({
  name: 'pause-payment',
  queue: 'payments',
  schema: z.object({ n: z.number() }),
  perform: ({ n }, ctx) => void ran.push({ queue: 'payments', n, attempt: ctx.attempt }),
});
const emails = defineJob({
  name: 'pause-email',
  queue: 'emails',
  schema: z.object({ n: z.number() }),
  perform: ({ n }, ctx) => void ran.push({ queue: 'emails', n, attempt: ctx.attempt }),
});
const registry = createRegistry([payments, emails]);

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The worker process against SQS on moto, with the job table's pauses in an in-process store (the same port the
// DynamoDB adapter implements): a paused queue is not received from at all, and is again once resumed.
describe('the worker process and a paused queue (moto)', () => {
  const sqs = sqsClient();
  let store: JobStore;
  let worker: Worker;
  let running: Promise<void>;
  let receives: Record<string, { started: number; ended: number }>;
  let pauseReads: number;
  let urls: Record<string, string>;
  const events: JobEvent[] = [];

  beforeEach(async () => {
    ran.length = 0;
    events.length = 0;
    receives = { payments: { started: 0, ended: 0 }, emails: { started: 0, ended: 0 } };
    pauseReads = 0;
    const [p, e] = [await createQueuePair(sqs), await createQueuePair(sqs)];
    const queues = {
      payments: { url: p.url, deadLetterUrl: p.deadLetterUrl },
      emails: { url: e.url, deadLetterUrl: e.deadLetterUrl },
    };
    urls = { payments: p.url, emails: e.url };
    const transport = createSqsTransport({ client: sqs, queues });
    const memory = createMemoryJobStore();
    store = {
      ...memory,
      listPauses: (nowMs) => {
        pauseReads++;
        return memory.listPauses(nowMs);
      },
    };
    // Counts each receive the worker makes, per queue, when it starts and when it returns.
    const consumer: Consumer = {
      ...transport,
      receive: async (queue, options) => {
        receives[queue]!.started++;
        try {
          return await transport.receive(queue, options);
        } finally {
          receives[queue]!.ended++;
        }
      },
    };
    worker = createWorker({
      registry,
      consumer,
      transport,
      store,
      waitTimeSeconds: 1,
      pauseRefresh: '100ms',
      onEvent: (event) => events.push(event),
    });
    return async () => {
      await worker.stop(1000);
      await running;
    };
  });

  const client = () =>
    createClient({
      transport: createSqsTransport({
        client: sqs,
        queues: {
          payments: { url: urls.payments!, deadLetterUrl: '' },
          emails: { url: urls.emails!, deadLetterUrl: '' },
        },
      }),
    });

  it('never receives from a queue paused before it starts, and takes its jobs once it is resumed', async () => {
    await store.setPause({ kind: 'queue', name: 'payments' }, { paused: true }, Date.now());
    running = worker.run();
    await client().enqueueMany([payments.with({ n: 1 }), emails.with({ n: 1 })]);
    await until(() => ran.some((r) => r.queue === 'emails'), 'the email job');
    // The worker looked at the pause again and again in the meantime, and never received from the queue.
    await until(() => pauseReads >= 3, 'more pause reads');
    expect(receives.payments!.started).toBe(0);
    expect(await messagesLeft(sqs, urls.payments!)).toBe(1);

    await store.setPause({ kind: 'queue', name: 'payments' }, { paused: false }, Date.now());
    await until(() => ran.some((r) => r.queue === 'payments'), 'the payment job after the resume');
    expect(ran.find((r) => r.queue === 'payments')).toEqual({ queue: 'payments', n: 1, attempt: 1 });
    // It was never received while paused, so nothing was put off.
    expect(events.filter((e) => e.type === 'deferred')).toEqual([]);
  });

  it('stops receiving from a queue paused while it runs, after the receive already waiting returns', async () => {
    running = worker.run();
    await until(() => receives.payments!.started > 0, 'a first receive');
    await store.setPause({ kind: 'queue', name: 'payments' }, { paused: true }, Date.now());
    // Once the pause has been read and the long poll in flight on the queue has returned, no receive starts.
    const readsAtPause = pauseReads;
    await until(() => pauseReads > readsAtPause, 'a pause read after the pause');
    await until(() => receives.payments!.ended === receives.payments!.started, 'the receive in flight');
    const receivedSoFar = receives.payments!.started;

    await client().enqueueMany([payments.with({ n: 2 }), emails.with({ n: 2 })]);
    await until(() => ran.some((r) => r.queue === 'emails'), 'the email job');
    await until(() => pauseReads > readsAtPause + 3, 'more pause reads');
    expect(receives.payments!.started).toBe(receivedSoFar);
    expect(ran.filter((r) => r.queue === 'payments')).toEqual([]);

    await store.setPause({ kind: 'queue', name: 'payments' }, { paused: false }, Date.now());
    await until(() => ran.some((r) => r.queue === 'payments'), 'the payment job after the resume');
    expect(ran.find((r) => r.queue === 'payments')).toEqual({ queue: 'payments', n: 2, attempt: 1 });
  });
});

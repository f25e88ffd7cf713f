import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../../src/client/client';
import type { OutboxTransactItem, WharfClient } from '../../../src/client/types';
import { defineJob } from '../../../src/define-job';
import { decodeEnvelope } from '../../../src/envelope/decode';
import { ConfigError, InvalidOptionsError, InvalidPayloadError, UnknownJobError } from '../../../src/errors';
import { createRegistry } from '../../../src/job/registry';
import { createManualClock, type ManualClock } from '../../../src/local/manual-clock';
import { OUTBOX_RETENTION_SEC } from '../../../src/store/dynamodb/outbox-item';
import { createMemoryTransport, type MemoryTransport } from '../../../src/transport/memory';

const START = Date.UTC(2026, 11, 1, 12);
const TABLE = 'wharf-jobs';

const shipOrder = defineJob({
  name: 'ship-order',
  schema: z.object({ orderId: z.string() }),
  jobId: (p) => p.orderId,
  perform: () => undefined,
});
const sendReceipt = defineJob({
  name: 'send-receipt',
  queue: 'mail',
  schema: z.object({ orderId: z.string(), note: z.string().optional() }),
  perform: () => undefined,
});
const chargeOnce = defineJob({
  name: 'charge-once',
  schema: z.object({ orderId: z.string() }),
  unique: { key: (p) => p.orderId, until: 'finished' },
  perform: () => undefined,
});
const reindex = defineJob({
  name: 'reindex',
  schema: z.object({ docId: z.string() }),
  debounce: { key: (p) => p.docId, wait: '30s' },
  perform: () => undefined,
});
const ordered = defineJob({
  name: 'ordered',
  queue: 'ledger',
  schema: z.object({ account: z.string() }),
  group: (p) => p.account,
  perform: () => undefined,
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

function envelopeOf(item: OutboxTransactItem) {
  const body = item.Put.Item.body as { S: string };
  const decoded = decodeEnvelope(body.S);
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.envelope;
}

describe('client.transactItems', () => {
  let clock: ManualClock;
  let transport: MemoryTransport;
  let client: WharfClient;

  beforeEach(() => {
    clock = createManualClock(START);
    transport = createMemoryTransport({
      clock,
      queues: ['default', 'mail', 'ledger'],
      fifoQueues: ['ledger'],
    });
    client = createClient({ transport, clock, outboxTable: TABLE });
  });

  it('builds a conditional Put of the job table that holds the job, and sends nothing', async () => {
    const [item] = await client.transactItems(shipOrder.with({ orderId: 'o1' }));
    expect(item).toEqual({
      Put: {
        TableName: TABLE,
        Item: {
          pk: { S: 'outbox#ship-order:o1' },
          jobId: { S: 'ship-order:o1' },
          address: { S: 'default' },
          body: { S: expect.any(String) },
          runAtMs: { N: String(START) },
          expiresAtSec: { N: String(START / 1000 + OUTBOX_RETENTION_SEC) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    });
    expect(envelopeOf(item!)).toMatchObject({
      v: 1,
      id: 'ship-order:o1',
      job: 'ship-order',
      payload: { orderId: 'o1' },
      attempt: 1,
      createdAtMs: START,
    });
    expect(transport.peek('default')).toEqual([]);
  });

  it('keeps the due time in the envelope, so the relay works the delay out when it sends', async () => {
    const [item] = await client.transactItems(sendReceipt.with({ orderId: 'o1' }, { delay: '10m' }));
    expect(item!.Put.Item.runAtMs).toEqual({ N: String(START + 600_000) });
    expect(item!.Put.Item.address).toEqual({ S: 'mail' });
    expect(envelopeOf(item!).runAtMs).toBe(START + 600_000);
  });

  it('gives plain values with format "document", for lib-dynamodb', async () => {
    const [item] = await client.transactItems(shipOrder.with({ orderId: 'o2' }), { format: 'document' });
    expect(item!.Put.Item).toEqual({
      pk: 'outbox#ship-order:o2',
      jobId: 'ship-order:o2',
      address: 'default',
      body: expect.any(String),
      runAtMs: START,
      expiresAtSec: START / 1000 + OUTBOX_RETENTION_SEC,
    });
    expect(item!.Put.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('builds one entry per request, in order', async () => {
    const items = await client.transactItems([
      shipOrder.with({ orderId: 'o1' }),
      sendReceipt.with({ orderId: 'o1' }, { jobId: 'receipt-o1' }),
    ]);
    expect(items.map((i) => i.Put.Item.jobId)).toEqual([{ S: 'ship-order:o1' }, { S: 'receipt-o1' }]);
  });

  it('refuses a bad payload with the very error an enqueue gives', async () => {
    const bad = { orderId: 42 } as unknown as { orderId: string };
    const fromEnqueue = await rejection(client.enqueue(shipOrder.with(bad)));
    const fromOutbox = await rejection(client.transactItems(shipOrder.with(bad)));
    expect(fromOutbox).toBeInstanceOf(InvalidPayloadError);
    expect(fromOutbox).toMatchObject({ code: 'WHARF_INVALID_PAYLOAD', message: fromEnqueue.message });
  });

  it('refuses a job its registry does not hold, as an enqueue does', async () => {
    const withRegistry = createClient({
      transport,
      clock,
      outboxTable: TABLE,
      registry: createRegistry([shipOrder]),
    });
    const error = await rejection(withRegistry.transactItems(sendReceipt.with({ orderId: 'o1' })));
    expect(error).toBeInstanceOf(UnknownJobError);
    expect(error.message).toContain('send-receipt');
  });

  it('refuses what a FIFO queue cannot take, as an enqueue does', async () => {
    const error = await rejection(client.transactItems(ordered.with({ account: 'a1' }, { delay: '1m' })));
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toContain('FIFO queue, which has no per-message delay');
  });

  it('refuses unique and debounced jobs: they are decided at enqueue, not at commit', async () => {
    const error = await rejection(
      client.transactItems([chargeOnce.with({ orderId: 'o1' }), reindex.with({ docId: 'd1' })]),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toContain('#0 charge-once: job "charge-once" has `unique`');
    expect(error.message).toContain('#1 reindex: job "reindex" has `debounce`');
    expect(error.message).toContain('decided at enqueue, not at commit');
  });

  it('refuses two entries of one job id: DynamoDB refuses two writes of one item in a transaction', async () => {
    const error = await rejection(
      client.transactItems([shipOrder.with({ orderId: 'o1' }), shipOrder.with({ orderId: 'o1' })]),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(error.message).toContain('#1 ship-order: job id "ship-order:o1" is also #0\'s');
  });

  it('refuses a payload that an enqueue takes but a DynamoDB item cannot hold (400 KB)', async () => {
    const note = 'x'.repeat(450 * 1024);
    await expect(client.enqueue(sendReceipt.with({ orderId: 'o1', note }))).resolves.toMatchObject({
      outcome: 'enqueued',
    });
    const error = await rejection(client.transactItems(sendReceipt.with({ orderId: 'o2', note })));
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect(error.message).toMatch(/its entry would be \d+ bytes, and a DynamoDB item holds at most 409600/);
  });

  it('refuses more entries than a transaction holds', async () => {
    const requests = Array.from({ length: 101 }, (_, i) => shipOrder.with({ orderId: `o${i}` }));
    const error = await rejection(client.transactItems(requests));
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect(error.message).toContain('a DynamoDB transaction holds at most 100 items');
  });

  it('needs the job table: without one it says where it comes from', async () => {
    const noTable = createClient({ transport, clock });
    const error = await rejection(noTable.transactItems(shipOrder.with({ orderId: 'o1' })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('WHARF_TABLE_NAME');
  });
});

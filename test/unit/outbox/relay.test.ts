import type { DynamoDBRecord } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../../src/client/client';
import type { OutboxTransactItem, WharfClient } from '../../../src/client/types';
import { defineJob } from '../../../src/define-job';
import { decodeEnvelope } from '../../../src/envelope/decode';
import { ATTR } from '../../../src/envelope/envelope';
import { InvalidEventError } from '../../../src/errors';
import { createManualClock, type ManualClock } from '../../../src/local/manual-clock';
import type { OutboxRelayEvent, OutboxRelayOptions } from '../../../src/outbox/relay';
import { createOutboxRelay, type OutboxRelayHandler } from '../../../src/outbox/relay-handler';
import { createMemoryScheduler, type MemoryScheduler } from '../../../src/schedule/memory-scheduler';
import type { JobScheduler } from '../../../src/schedule/types';
import { createMemoryTransport, type MemoryTransport } from '../../../src/transport/memory';
import { insertRecordOf, lowLevel, recordOf } from '../../helpers/outbox-records';

const START = Date.UTC(2026, 11, 1, 12);

const shipOrder = defineJob({
  name: 'ship-order',
  schema: z.object({ orderId: z.string() }),
  jobId: (p) => p.orderId,
  perform: () => undefined,
});

/** The table's outbox as the relay sees it: the entries the "transaction" put, until the relay clears them. */
class TestOutbox {
  readonly pending = new Set<string>();
  failChecks = 0;
  failClears = 0;
  readonly outbox: OutboxRelayOptions['outbox'] = {
    outboxPending: async (jobId) => {
      if (this.failChecks-- > 0) throw new Error('ProvisionedThroughputExceededException');
      return this.pending.has(jobId);
    },
    clearOutbox: async (jobId) => {
      if (this.failClears-- > 0) throw new Error('InternalServerError');
      this.pending.delete(jobId);
    },
  };
}

describe('the outbox relay', () => {
  let clock: ManualClock;
  let transport: MemoryTransport;
  let scheduler: MemoryScheduler;
  let client: WharfClient;
  let table: TestOutbox;
  let events: OutboxRelayEvent[];
  let relay: OutboxRelayHandler;
  let sequence: number;

  /** What a committed transaction does: the entries are in the table, and their INSERTs in the stream. */
  const commit = (items: readonly OutboxTransactItem[]): DynamoDBRecord[] =>
    items.map((item) => {
      table.pending.add((item.Put.Item.jobId as { S: string }).S);
      return insertRecordOf(item, ++sequence);
    });
  const relayWith = (overrides: Partial<OutboxRelayOptions> = {}) =>
    createOutboxRelay({
      transport,
      scheduler,
      outbox: table.outbox,
      clock,
      onEvent: (e) => events.push(e),
      ...overrides,
    });
  const bodies = (queue = 'default') => transport.peek(queue).map((m) => JSON.parse(m.body));

  beforeEach(() => {
    clock = createManualClock(START);
    transport = createMemoryTransport({ clock, queues: ['default', 'default/high'] });
    scheduler = createMemoryScheduler({ transport, clock });
    client = createClient({ transport, clock, outboxTable: 'jobs' });
    table = new TestOutbox();
    events = [];
    sequence = 0;
    relay = relayWith();
  });

  it('sends a committed entry to its queue under its job id, then clears it', async () => {
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' })));
    clock.advance(2_000);
    expect(await relay({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(bodies()).toEqual([
      expect.objectContaining({
        id: 'ship-order:o1',
        job: 'ship-order',
        payload: { orderId: 'o1' },
        createdAtMs: START,
        enqueuedAtMs: START + 2_000,
      }),
    ]);
    expect(transport.peek('default')[0]!.attributes[ATTR.jobId]).toBe('ship-order:o1');
    expect(table.pending.size).toBe(0);
    expect(events).toEqual([
      { type: 'outbox-sent', jobId: 'ship-order:o1', jobName: 'ship-order', queue: 'default', via: 'queue' },
    ]);
  });

  it('sends nothing when the same records are played again: their entries were cleared', async () => {
    const records = commit(
      await client.transactItems([1, 2, 3].map((n) => shipOrder.with({ orderId: `o${n}` }))),
    );
    await relay({ Records: records });
    events = [];
    expect(await relay({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(transport.peek('default')).toHaveLength(3);
    expect(events.map((e) => e.type)).toEqual(['outbox-skipped', 'outbox-skipped', 'outbox-skipped']);
    expect(events[0]).toEqual({ type: 'outbox-skipped', jobId: 'ship-order:o1', why: 'not-pending' });
  });

  it('works the delay out when it sends: what is left of it, not what it was at the transaction', async () => {
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' }, { delay: '10m' })));
    clock.advance(60_000);
    await relay({ Records: records });
    const [message] = transport.peek('default');
    expect(message!.visibleAtMs).toBe(START + 600_000);
  });

  it('hands a job due beyond 15 minutes to the scheduler, as an enqueue does', async () => {
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' }, { delay: '2h' })));
    await relay({ Records: records });
    expect(transport.peek('default')).toEqual([]);
    expect(await scheduler.getJob('ship-order:o1')).toMatchObject({ queue: 'default' });
    expect(events).toEqual([expect.objectContaining({ type: 'outbox-sent', via: 'scheduler' })]);
  });

  it('sends a far job through SQS when the scheduler fails it, rather than fail a record it holds', async () => {
    const failing: JobScheduler = {
      ...scheduler,
      accepts: () => true,
      scheduleAt: async () => {
        throw new Error('ThrottlingException');
      },
    };
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' }, { delay: '2h' })));
    expect(await relayWith({ scheduler: failing })({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(bodies()).toEqual([expect.objectContaining({ id: 'ship-order:o1', runAtMs: START + 7_200_000 })]);
  });

  it('goes to the lane the entry names', async () => {
    const lanes = {
      default: {
        lanes: [
          { name: 'normal', weight: 1 },
          { name: 'high', weight: 3 },
        ],
        defaultLane: 'normal',
      },
    };
    const laned = createClient({ transport, clock, outboxTable: 'jobs', lanes });
    const records = commit(
      await laned.transactItems(shipOrder.with({ orderId: 'o1' }, { priority: 'high' })),
    );
    await relay({ Records: records });
    expect(transport.peek('default')).toEqual([]);
    expect(bodies('default/high')).toEqual([expect.objectContaining({ id: 'ship-order:o1' })]);
  });

  it('reports a record it could not send by its sequence number, keeps its entry, and sends the others', async () => {
    const records = commit(
      await client.transactItems([1, 2].map((n) => shipOrder.with({ orderId: `o${n}` }))),
    );
    transport.failNextSends(1, { permanent: true });
    const first = records[0]!.dynamodb!.SequenceNumber!;
    const response = await relay({ Records: records });
    // One SendMessageBatch carried both: the injected failure takes its first entry.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: first }] });
    expect(bodies().map((b) => b.id)).toEqual(['ship-order:o2']);
    expect([...table.pending]).toEqual(['ship-order:o1']);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'outbox-failed', jobId: 'ship-order:o1', step: 'send' }),
    );
    // Lambda retries from the failed record on: the one sent already is not sent again.
    await relay({ Records: records });
    expect(
      bodies()
        .map((b) => b.id)
        .sort(),
    ).toEqual(['ship-order:o1', 'ship-order:o2']);
    expect(table.pending.size).toBe(0);
  });

  it('fails a record whose pending check fails, and sends nothing for it', async () => {
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' })));
    table.failChecks = 1;
    expect(await relay({ Records: records })).toEqual({
      batchItemFailures: [{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber! }],
    });
    expect(transport.peek('default')).toEqual([]);
  });

  it('fails a record whose entry it sent but could not clear: the retry sends it again, under the same job id', async () => {
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' })));
    table.failClears = 1;
    expect((await relay({ Records: records })).batchItemFailures).toHaveLength(1);
    expect(await relay({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(bodies().map((b) => b.id)).toEqual(['ship-order:o1', 'ship-order:o1']);
    expect(table.pending.size).toBe(0);
  });

  it('sends only the last INSERT of a job id in a batch: the earlier one was relayed before its entry was put again', async () => {
    const [first] = await client.transactItems(shipOrder.with({ orderId: 'o1' }), { format: 'low-level' });
    const [again] = await client.transactItems(shipOrder.with({ orderId: 'o1' }));
    const records = [
      insertRecordOf(first!, 1),
      recordOf('REMOVE', lowLevel(first!.Put.Item), 2),
      insertRecordOf(again!, 3),
    ];
    table.pending.add('ship-order:o1');
    await relay({ Records: records });
    expect(transport.peek('default')).toHaveLength(1);
    expect(events[0]).toEqual({ type: 'outbox-skipped', jobId: 'ship-order:o1', why: 'superseded' });
  });

  it('leaves alone the records that are not outbox INSERTs (the mapping filter keeps them out on AWS)', async () => {
    const [item] = await client.transactItems(shipOrder.with({ orderId: 'o1' }));
    const job = { pk: { S: 'job#ship-order:o1' }, status: { S: 'queued' } };
    const records = [recordOf('INSERT', job, 1), recordOf('MODIFY', lowLevel(item!.Put.Item), 2)];
    expect(await relay({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(transport.peek('default')).toEqual([]);
    expect(events.map((e) => e.type === 'outbox-skipped' && e.why)).toEqual(['not-an-entry', 'not-an-entry']);
  });

  describe('a poison entry', () => {
    const poisonRecord = (image: Record<string, { S: string } | { N: string }>) => {
      table.pending.add(image.pk && 'S' in image.pk ? image.pk.S.slice('outbox#'.length) : '');
      return recordOf('INSERT', image, ++sequence);
    };

    it("goes to its queue's dead-letter queue with the reason, and is cleared, without failing the batch", async () => {
      const records = [
        poisonRecord({
          pk: { S: 'outbox#by-hand' },
          jobId: { S: 'by-hand' },
          address: { S: 'default' },
          body: { S: 'not json' },
        }),
        ...commit(await client.transactItems(shipOrder.with({ orderId: 'o1' }))),
      ];
      expect(await relay({ Records: records })).toEqual({ batchItemFailures: [] });
      const [letter] = transport.peekDeadLetters('default');
      expect(letter!.body).toBe('not json');
      expect(letter!.attributes).toMatchObject({
        [ATTR.reason]: 'malformed-body',
        [ATTR.jobId]: 'by-hand',
        [ATTR.queue]: 'default',
      });
      expect(letter!.attributes[ATTR.error]).toMatch(
        /^OutboxEntryError \[WHARF_BAD_ENVELOPE\]: outbox entry outbox#by-hand: body is not JSON/,
      );
      expect(bodies().map((b) => b.id)).toEqual(['ship-order:o1']);
      expect(table.pending.size).toBe(0);
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'outbox-dead', jobId: 'by-hand', reason: 'malformed-body' }),
      );
    });

    it('is poison when its envelope is another job id than its key', async () => {
      const [item] = await client.transactItems(shipOrder.with({ orderId: 'o1' }));
      const image = { ...lowLevel(item!.Put.Item), pk: { S: 'outbox#someone-else' } };
      await relay({ Records: [poisonRecord(image as never)] });
      expect(transport.peek('default')).toEqual([]);
      expect(transport.peekDeadLetters('default')[0]!.attributes[ATTR.error]).toContain(
        'its key names job id "someone-else", but its envelope carries "ship-order:o1"',
      );
    });

    it('fails its record when it names no queue: there is no dead-letter queue to keep it in', async () => {
      const record = poisonRecord({ pk: { S: 'outbox#lost' }, body: { S: '{}' } });
      expect(await relay({ Records: [record] })).toEqual({
        batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }],
      });
      expect(table.pending.has('lost')).toBe(true);
    });

    it('fails its record when its queue is unknown, and keeps the entry', async () => {
      const [item] = await client.transactItems(shipOrder.with({ orderId: 'o1' }));
      const image = { ...lowLevel(item!.Put.Item), address: { S: 'nowhere' } };
      const record = poisonRecord(image as never);
      expect((await relay({ Records: [record] })).batchItemFailures).toHaveLength(1);
      expect(table.pending.has('ship-order:o1')).toBe(true);
    });
  });

  it('refuses an event that is not a stream batch, and a record without a sequence number, before relaying any', async () => {
    await expect(relay({} as never)).rejects.toThrow(InvalidEventError);
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' })));
    const unnamed = { ...records[0]!, dynamodb: { ...records[0]!.dynamodb, SequenceNumber: undefined } };
    await expect(relay({ Records: [...records, unnamed] })).rejects.toThrow(
      /Record 1 of the event has no dynamodb.SequenceNumber/,
    );
    expect(transport.peek('default')).toEqual([]);
  });

  it("writes envelopes the worker decodes, with a short delay as the message's DelaySeconds", async () => {
    const records = commit(await client.transactItems(shipOrder.with({ orderId: 'o1' }, { delay: '2s' })));
    await relay({ Records: records });
    const [message] = transport.peek('default');
    expect(decodeEnvelope(message!.body)).toMatchObject({ ok: true, envelope: { id: 'ship-order:o1' } });
    expect(message!.visibleAtMs).toBe(START + 2_000);
  });
});

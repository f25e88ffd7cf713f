import { beforeEach, describe, expect, it } from 'vitest';
import { createMemoryTransport, type MemoryTransport } from '../../src/transport/memory';
import type { OutgoingMessage, ReceiveOptions } from '../../src/transport/types';
import { ManualClock } from '../helpers/manual-clock';

const message = (body: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  body,
  attributes: {},
  delaySeconds: 0,
  ...extra,
});
const poll = (maxMessages = 10): ReceiveOptions => ({
  maxMessages,
  waitTimeSeconds: 0,
  visibilityTimeoutSeconds: 30,
});

describe('MemoryTransport tenants (a MessageGroupId on a standard queue)', () => {
  let clock: ManualClock;
  let transport: MemoryTransport;

  beforeEach(() => {
    clock = new ManualClock();
    transport = createMemoryTransport({ clock });
  });

  it('hands out messages visible at the same time one tenant at a time, in turn', async () => {
    const busy = Array.from({ length: 1000 }, (_, i) => message(`busy-${i}`, { groupId: 'busy' }));
    await transport.send('default', busy);
    await transport.send('default', [message('quiet-0', { groupId: 'quiet' })]);
    await transport.send('default', [message('other-0', { groupId: 'other' })]);

    const first = await transport.receive('default', poll(4));
    // The quiet tenant's one message comes in the first receive, not after the busy tenant's thousand.
    expect(first.map((m) => m.body)).toEqual(['busy-0', 'quiet-0', 'other-0', 'busy-1']);
    expect(first.map((m) => m.groupId)).toEqual(['busy', 'quiet', 'other', 'busy']);
  });

  it('interleaves two busy tenants message by message, each in its own send order', async () => {
    await transport.send('default', [
      ...['a1', 'a2', 'a3'].map((b) => message(b, { groupId: 'A' })),
      ...['b1', 'b2', 'b3'].map((b) => message(b, { groupId: 'B' })),
    ]);
    const received = await transport.receive('default', poll(10));
    expect(received.map((m) => m.body)).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
    expect(received.every((m) => m.fifo === undefined)).toBe(true);
  });

  it('keeps plain visibility order when no message has a tenant', async () => {
    await transport.send('default', [
      message('late', { delaySeconds: 5 }),
      message('now-1'),
      message('now-2'),
    ]);
    expect((await transport.receive('default', poll())).map((m) => m.body)).toEqual(['now-1', 'now-2']);
    clock.advance(5_000);
    expect((await transport.receive('default', poll())).map((m) => m.body)).toEqual(['late']);
  });
});

describe('MemoryTransport FIFO queues', () => {
  let clock: ManualClock;
  let transport: MemoryTransport;

  beforeEach(() => {
    clock = new ManualClock();
    transport = createMemoryTransport({ clock, fifoQueues: ['orders'], maxReceiveCount: 3 });
  });

  const send = (body: string, groupId: string) =>
    transport.send('orders', [message(body, { groupId, deduplicationId: `d-${body}` })]);

  it('says which queues are FIFO', () => {
    expect(transport.queueKind?.('orders')).toBe('fifo');
    expect(transport.queueKind?.('default')).toBe('standard');
  });

  it('hands out one message per group at a time, the next only once the one before is deleted', async () => {
    for (const [body, group] of [
      ['a1', 'A'],
      ['a2', 'A'],
      ['b1', 'B'],
      ['b2', 'B'],
    ] as const)
      await send(body, group);
    const first = await transport.receive('orders', poll());
    expect(first.map((m) => m.body)).toEqual(['a1', 'b1']);
    expect(first.every((m) => m.fifo === true)).toBe(true);
    // While a1 and b1 are in flight, their groups hold.
    expect(await transport.receive('orders', poll())).toEqual([]);
    await transport.ack('orders', [first[0]!.receiptHandle]);
    expect((await transport.receive('orders', poll())).map((m) => m.body)).toEqual(['a2']);
  });

  it('holds a group behind a message that waits in place, until it is visible again', async () => {
    await send('a1', 'A');
    await send('a2', 'A');
    const [a1] = await transport.receive('orders', poll());
    expect(await transport.changeVisibility('orders', [a1!.receiptHandle], 60)).toEqual([]);
    clock.advance(59_000);
    expect(await transport.receive('orders', poll())).toEqual([]);
    expect(transport.nextVisibleAtMs('orders')).toBe(clock.nowMs() + 1_000);
    clock.advance(1_000);
    const again = await transport.receive('orders', poll());
    expect(again.map((m) => [m.body, m.receiveCount])).toEqual([['a1', 2]]);
  });

  it('moves a message past maxReceiveCount to the DLQ, which lets its group go on', async () => {
    await send('a1', 'A');
    await send('a2', 'A');
    for (let i = 0; i < 3; i++) {
      const [a1] = await transport.receive('orders', poll());
      expect(a1?.body).toBe('a1');
      await transport.changeVisibility('orders', [a1!.receiptHandle], 0);
    }
    expect((await transport.receive('orders', poll())).map((m) => m.body)).toEqual(['a2']);
    expect(transport.peekDeadLetters('orders').map((m) => [m.body, m.groupId])).toEqual([['a1', 'A']]);
  });

  it('drops a send whose deduplication id was sent in the last 5 minutes, and delivers it after', async () => {
    const [first] = await send('a1', 'A');
    const [again] = await send('a1', 'A');
    expect(again).toEqual(first);
    expect(transport.peek('orders')).toHaveLength(1);
    clock.advance(5 * 60_000);
    await send('a1', 'A');
    expect(transport.peek('orders')).toHaveLength(2);
  });

  it('refuses a message without a group, or with a delay, as SQS would', async () => {
    const [noGroup, delayed] = await transport.send('orders', [
      message('x'),
      message('y', { groupId: 'A', delaySeconds: 5 }),
    ]);
    expect(noGroup).toMatchObject({ ok: false, code: 'missing_group', permanent: true });
    expect(delayed).toMatchObject({ ok: false, code: 'fifo_delay', permanent: true });
    await expect(transport.sendToDeadLetter('orders', message('z'))).rejects.toThrow(/message group/);
  });
});

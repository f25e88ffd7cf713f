import { beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import { createMemoryTransport, type MemoryTransport } from '../../src/transport/memory';
import type { OutgoingMessage, ReceivedMessage, ReceiveOptions } from '../../src/transport/types';
import { ManualClock } from '../helpers/manual-clock';

const message = (body: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  body,
  attributes: {},
  delaySeconds: 0,
  ...extra,
});
const poll: ReceiveOptions = { maxMessages: 10, waitTimeSeconds: 0, visibilityTimeoutSeconds: 30 };

describe('MemoryTransport', () => {
  let clock: ManualClock;
  let transport: MemoryTransport;

  beforeEach(() => {
    clock = new ManualClock();
    transport = createMemoryTransport({ clock, maxReceiveCount: 3 });
  });

  it('returns one outcome per message in input order, with distinct message ids', async () => {
    const outcomes = await transport.send('default', [message('a'), message('b'), message('c')]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true]);
    const ids = outcomes.map((o) => (o.ok ? o.messageId : ''));
    expect(new Set(ids).size).toBe(3);
    expect(transport.peek('default').map((m) => [m.messageId, m.body])).toEqual([
      [ids[0], 'a'],
      [ids[1], 'b'],
      [ids[2], 'c'],
    ]);
  });

  it('delivers body and attributes as sent', async () => {
    await transport.send('default', [
      message('{"x":1}', { attributes: { jobName: 'send-email', jobId: 'j1' } }),
    ]);
    const [received] = await transport.receive('default', poll);
    expect(received).toMatchObject({
      body: '{"x":1}',
      queue: 'default',
      attributes: { jobName: 'send-email', jobId: 'j1' },
      receiveCount: 1,
    });
  });

  it('keeps a delayed message invisible until its delay has passed', async () => {
    await transport.send('default', [message('later', { delaySeconds: 10 })]);
    expect(await transport.receive('default', poll)).toEqual([]);
    expect(transport.stats('default')).toMatchObject({ visible: 0, delayed: 1, inFlight: 0 });
    expect(transport.nextVisibleAtMs()).toBe(clock.nowMs() + 10_000);

    clock.advance(9_999);
    expect(await transport.receive('default', poll)).toEqual([]);
    clock.advance(1);
    expect((await transport.receive('default', poll)).map((m) => m.body)).toEqual(['later']);
  });

  it('hides a received message for its visibility timeout, then redelivers it with a new receipt handle', async () => {
    await transport.send('default', [message('job')]);
    const [first] = await transport.receive('default', { ...poll, visibilityTimeoutSeconds: 30 });
    expect(transport.stats('default')).toMatchObject({ visible: 0, inFlight: 1 });

    clock.advance(29_999);
    expect(await transport.receive('default', poll)).toEqual([]);
    clock.advance(1);
    const [second] = await transport.receive('default', poll);
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.receiveCount).toBe(2);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
  });

  it('refuses to ack with a stale receipt handle and acks with the latest one', async () => {
    await transport.send('default', [message('job')]);
    const [first] = await transport.receive('default', { ...poll, visibilityTimeoutSeconds: 1 });
    clock.advance(1_000);
    const [second] = await transport.receive('default', poll);

    const failures = await transport.ack('default', [first!.receiptHandle]);
    expect(failures).toEqual([
      expect.objectContaining({ receiptHandle: first!.receiptHandle, code: 'ReceiptHandleIsInvalid' }),
    ]);
    expect(transport.peek('default')).toHaveLength(1);

    expect(await transport.ack('default', [second!.receiptHandle])).toEqual([]);
    expect(transport.peek('default')).toHaveLength(0);
    expect(await transport.ack('default', [second!.receiptHandle])).toHaveLength(1);
  });

  it('changes visibility of in-flight messages and reports stale or not-in-flight handles', async () => {
    await transport.send('default', [message('job')]);
    const [received] = await transport.receive('default', poll);
    expect(await transport.changeVisibility('default', [received!.receiptHandle], 120)).toEqual([]);
    clock.advance(119_000);
    expect(await transport.receive('default', poll)).toEqual([]);

    expect(await transport.changeVisibility('default', [received!.receiptHandle], 0)).toEqual([]);
    expect(transport.stats('default').visible).toBe(1);
    const failures = await transport.changeVisibility('default', [received!.receiptHandle, 'made-up'], 10);
    expect(failures.map((f) => f.code)).toEqual(['MessageNotInflight', 'ReceiptHandleIsInvalid']);
  });

  it('moves a message past maxReceiveCount to the DLQ only on the next receive, keeping its id', async () => {
    const [sent] = await transport.send('default', [message('poison')]);
    for (let i = 0; i < 3; i++) {
      expect(await transport.receive('default', { ...poll, visibilityTimeoutSeconds: 1 })).toHaveLength(1);
      clock.advance(1_000);
    }
    // Exhausted, but SQS leaves it on the queue until a receive would have returned it.
    expect(transport.stats('default')).toMatchObject({ visible: 1, deadLetters: 0 });

    expect(await transport.receive('default', poll)).toEqual([]);
    expect(transport.stats('default')).toMatchObject({ visible: 0, deadLetters: 1 });
    expect(transport.peekDeadLetters('default')).toEqual([
      expect.objectContaining({
        messageId: sent?.ok ? sent.messageId : 'none',
        body: 'poison',
        receiveCount: 3,
      }),
    ]);
  });

  it('leaves a message on its last receive alone while in flight, so that run can still ack it', async () => {
    await transport.send('default', [message('last-chance')]);
    let last: ReceivedMessage | undefined;
    for (let i = 0; i < 3; i++) {
      [last] = await transport.receive('default', { ...poll, visibilityTimeoutSeconds: 10 });
      if (i < 2) clock.advance(10_000);
    }
    expect(await transport.receive('default', poll)).toEqual([]);
    expect(transport.stats('default')).toMatchObject({ inFlight: 1, deadLetters: 0 });
    expect(await transport.ack('default', [last!.receiptHandle])).toEqual([]);
    expect(transport.stats('default')).toMatchObject({ inFlight: 0, visible: 0, deadLetters: 0 });
  });

  it('reports visible, in-flight, delayed, dead-letter counts and the oldest message age', async () => {
    expect(transport.stats('default')).toEqual({
      visible: 0,
      inFlight: 0,
      delayed: 0,
      deadLetters: 0,
      oldestAgeMs: undefined,
    });
    await transport.send('default', [message('one'), message('two')]);
    clock.advance(5_000);
    await transport.send('default', [message('delayed', { delaySeconds: 60 })]);
    await transport.receive('default', { ...poll, maxMessages: 1 });
    await transport.sendToDeadLetter('default', message('dead'));
    clock.advance(2_000);
    expect(transport.stats('default')).toEqual({
      visible: 1,
      inFlight: 1,
      delayed: 1,
      deadLetters: 1,
      oldestAgeMs: 7_000,
    });
  });

  it('tells the earliest visibility time per queue and across queues', async () => {
    expect(transport.nextVisibleAtMs()).toBeUndefined();
    const start = clock.nowMs();
    await transport.send('emails', [message('e', { delaySeconds: 30 })]);
    await transport.send('reports', [message('r', { delaySeconds: 10 })]);
    expect(transport.nextVisibleAtMs()).toBe(start + 10_000);
    expect(transport.nextVisibleAtMs('emails')).toBe(start + 30_000);
    clock.set(start + 10_000);
    await transport.receive('reports', { ...poll, visibilityTimeoutSeconds: 60 });
    expect(transport.nextVisibleAtMs()).toBe(start + 30_000);
  });

  it('redrives dead letters to their queue as new messages, all or by id', async () => {
    await transport.sendToDeadLetter('default', message('a', { attributes: { jobId: 'a' } }));
    await transport.sendToDeadLetter('default', message('b'));
    const [a, b] = transport.peekDeadLetters('default');

    const moved = transport.redrive('default', { messageIds: [b!.messageId, 'unknown'] });
    expect(moved).toHaveLength(1);
    expect(moved[0]?.deadLetterMessageId).toBe(b!.messageId);
    expect(moved[0]?.messageId).not.toBe(b!.messageId);
    expect(transport.peekDeadLetters('default').map((m) => m.body)).toEqual(['a']);

    transport.redrive('default');
    const received = await transport.receive('default', poll);
    expect(received.map((m) => [m.body, m.receiveCount])).toEqual([
      ['b', 1],
      ['a', 1],
    ]);
    expect(received.find((m) => m.body === 'a')?.attributes).toEqual({ jobId: 'a' });
    expect(received.map((m) => m.messageId)).not.toContain(a!.messageId);
  });

  it('deletes one dead letter by id', async () => {
    await transport.sendToDeadLetter('default', message('gone'));
    const [dead] = transport.peekDeadLetters('default');
    expect(transport.deleteDeadLetter('default', dead!.messageId)).toBe(true);
    expect(transport.deleteDeadLetter('default', dead!.messageId)).toBe(false);
    expect(transport.peekDeadLetters('default')).toEqual([]);
  });

  it('fails injected sends per message and sends the rest', async () => {
    transport.failNextSends(1, { code: 'ThrottlingException', permanent: false });
    const outcomes = await transport.send('default', [message('x'), message('y')]);
    expect(outcomes[0]).toMatchObject({ ok: false, code: 'ThrottlingException', permanent: false });
    expect(outcomes[1]?.ok).toBe(true);
    expect(transport.peek('default').map((m) => m.body)).toEqual(['y']);

    transport.failNextSends(1, { permanent: true });
    await expect(transport.sendToDeadLetter('default', message('dead'))).rejects.toSatisfy((e) =>
      hasCode(e, 'WHARF_TRANSPORT'),
    );
    expect(transport.peekDeadLetters('default')).toEqual([]);
  });

  it('refuses what SQS refuses, per message: oversize, too many attributes, out-of-range delay', async () => {
    const outcomes = await transport.send('default', [
      message('x'.repeat(1_048_577)),
      message('ok'),
      message('attrs', {
        attributes: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, 'v'])),
      }),
      message('delay', { delaySeconds: 901 }),
    ]);
    expect(outcomes.map((o) => (o.ok ? 'sent' : `${o.code}:${o.permanent}`))).toEqual([
      'oversize:true',
      'sent',
      'too_many_attributes:true',
      'invalid_delay:true',
    ]);
    expect(transport.peek('default').map((m) => m.body)).toEqual(['ok']);
  });

  it('returns at once from a long poll instead of waiting on real time', async () => {
    await expect(transport.receive('default', { ...poll, waitTimeSeconds: 20 })).resolves.toEqual([]);
    expect(clock.pendingSleeps()).toBe(0);
  });

  it('receives at most maxMessages and nothing once the signal is aborted', async () => {
    await transport.send(
      'default',
      Array.from({ length: 5 }, (_, i) => message(`m${i}`)),
    );
    expect(await transport.receive('default', { ...poll, maxMessages: 2 })).toHaveLength(2);
    const controller = new AbortController();
    controller.abort();
    expect(await transport.receive('default', { ...poll, signal: controller.signal })).toEqual([]);
    expect(transport.stats('default').visible).toBe(3);
  });

  it('rejects receive options SQS would reject, listing every problem', async () => {
    const error = await transport
      .receive('default', { maxMessages: 11, waitTimeSeconds: 21, visibilityTimeoutSeconds: -1 })
      .catch((e: unknown) => e);
    expect(hasCode(error, 'WHARF_INVALID_OPTIONS')).toBe(true);
    expect((error as Error).message).toMatch(
      /maxMessages[\s\S]*waitTimeSeconds[\s\S]*visibilityTimeoutSeconds/,
    );
  });

  it("applies the queue's visibility timeout when a receive gives none", async () => {
    const queue = createMemoryTransport({ clock, visibilityTimeoutSeconds: 5 });
    await queue.send('default', [message('job')]);
    // Plain-JS callers can leave the option out, as SQS allows.
    await queue.receive('default', { maxMessages: 1, waitTimeSeconds: 0 } as ReceiveOptions);
    expect(queue.peek('default')[0]?.visibleAtMs).toBe(clock.nowMs() + 5_000);
  });

  it('throws ConfigError naming the known queues when queues were fixed', async () => {
    const fixed = createMemoryTransport({ clock, queues: ['default', 'emails'] });
    await expect(fixed.send('emials', [message('x')])).rejects.toThrow(
      /Unknown queue "emials".*"default", "emails"/,
    );
    await expect(fixed.send('emials', [message('x')])).rejects.toSatisfy((e) => hasCode(e, 'WHARF_CONFIG'));
    expect(fixed.queueNames()).toEqual(['default', 'emails']);
  });

  it('creates queues on first use when none were fixed', async () => {
    await transport.send('reports', [message('r')]);
    expect(transport.queueNames()).toEqual(['reports']);
  });
});

describe('ManualClock', () => {
  it('resolves a sleep only once time is advanced past it', async () => {
    const clock = new ManualClock({ startMs: 0 });
    let woke = false;
    const sleeping = clock.sleep(100).then(() => {
      woke = true;
    });
    clock.advance(99);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(woke).toBe(true);
    expect(clock.nowMs()).toBe(100);
  });
});

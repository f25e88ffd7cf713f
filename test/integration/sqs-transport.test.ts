import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { QueueUrls } from '../../src/config/env-config';
import { hasCode } from '../../src/errors';
import { createSqsTransport, type SqsTransport } from '../../src/transport/sqs';
import type { OutgoingMessage, SendOutcome } from '../../src/transport/types';
import { countRequests, RequestCounter, sqsClient, uniqueName } from '../helpers/aws';
import { ManualClock } from '../helpers/manual-clock';
import { failBatchRequests, injectBatchEntryFaults } from '../helpers/sqs-faults';

const message = (body: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  body,
  attributes: {},
  delaySeconds: 0,
  ...extra,
});
const messages = (count: number) => Array.from({ length: count }, (_, i) => message(`m${i}`));
const poll = { maxMessages: 10, waitTimeSeconds: 0, visibilityTimeoutSeconds: 30 };

/** A queue with its DLQ, wired with a redrive policy as the wharf construct does. */
async function createQueues(sqs: SQSClient): Promise<QueueUrls> {
  const name = uniqueName('transport');
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const redrivePolicy = JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 5 });
  const queue = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { RedrivePolicy: redrivePolicy } }),
  );
  return { url: queue.QueueUrl!, deadLetterUrl: dlq.QueueUrl! };
}

/** Everything visible on a queue, read with a plain client so the transport under test is not the witness. */
async function drain(queueUrl: string): Promise<Map<string, string>> {
  const sqs = sqsClient();
  const found = new Map<string, string>();
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return found;
    for (const m of Messages) found.set(m.MessageId!, m.Body!);
  }
}

const sentIds = (outcomes: readonly SendOutcome[]) => outcomes.flatMap((o) => (o.ok ? [o.messageId] : []));

describe('SqsTransport', () => {
  let client: SQSClient;
  let counter: RequestCounter;
  let clock: ManualClock;
  let urls: QueueUrls;
  let transport: SqsTransport;

  beforeEach(async () => {
    client = sqsClient();
    counter = new RequestCounter();
    countRequests(client, counter);
    clock = new ManualClock({ autoAdvance: true });
    urls = await createQueues(client);
    transport = createSqsTransport({ client, queues: { default: urls }, clock });
    counter.reset();
  });

  it('sends 25 messages in 3 SendMessageBatch requests, outcomes in input order', async () => {
    const outcomes = await transport.send('default', messages(25));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(counter.get('SendMessageBatchCommand')).toBe(3);
    const onQueue = await drain(urls.url);
    expect(outcomes.map((o) => (o.ok ? onQueue.get(o.messageId) : undefined))).toEqual(
      messages(25).map((m) => m.body),
    );
  });

  it('needs at most 0.11 requests per message for a bulk send of 100', async () => {
    await transport.send('default', messages(100));
    const perMessage = counter.total() / 100;
    expect(perMessage).toBeLessThanOrEqual(0.11);
    expect(counter.get('SendMessageBatchCommand')).toBe(10);
  });

  it('keeps each request within 1 MiB by splitting large messages across batches', async () => {
    const large = Array.from({ length: 5 }, (_, i) => message(`${i}`.padEnd(300_000, 'x')));
    const outcomes = await transport.send('default', large);
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(counter.get('SendMessageBatchCommand')).toBe(2);
    expect((await drain(urls.url)).size).toBe(5);
  });

  it('round-trips string attributes and reports the receive count', async () => {
    const attributes = { jobName: 'send-email', jobId: '01J-abc', attempt: '1' };
    await transport.send('default', [message('{"to":"a@b.c"}', { attributes })]);
    const [received] = await transport.receive('default', poll);
    expect(received).toMatchObject({ body: '{"to":"a@b.c"}', queue: 'default', attributes, receiveCount: 1 });
  });

  it('honours delaySeconds: a delayed message is not visible at once, an undelayed one is', async () => {
    await transport.send('default', [message('later', { delaySeconds: 1 }), message('now')]);
    expect((await transport.receive('default', poll)).map((m) => m.body)).toEqual(['now']);
    const later = await transport.receive('default', { ...poll, waitTimeSeconds: 5 });
    expect(later.map((m) => m.body)).toEqual(['later']);
  });

  it('retries transient entry failures and reports permanent ones per item', async () => {
    const transientOnce = new Set(['m1', 'm4', 'm11']);
    const seen = injectBatchEntryFaults(client, (body, count) => {
      if (body === 'm2' || body === 'm9') return { senderFault: true, code: 'InvalidParameterValue' };
      if (transientOnce.has(body) && count === 1) return { senderFault: false, code: 'InternalError' };
      // Throttling counts as transient even when SQS blames the sender.
      if (body === 'm7' && count === 1) return { senderFault: true, code: 'RequestThrottled' };
      if (body === 'm5' && count === 1) return 'unaccounted';
      return undefined;
    });
    const outcomes = await transport.send('default', messages(12));

    const failed = outcomes.flatMap((o, i) => (o.ok ? [] : [[i, o.code, o.permanent]]));
    expect(failed).toEqual([
      [2, 'InvalidParameterValue', true],
      [9, 'InvalidParameterValue', true],
    ]);
    expect(seen.get('m2')).toBe(1);
    expect(seen.get('m1')).toBe(2);
    expect(seen.get('m0')).toBe(1);
    expect(clock.sleeps).toHaveLength(1);
    // Exactly the messages reported sent are on the queue, once each.
    const onQueue = await drain(urls.url);
    expect([...onQueue.keys()].sort()).toEqual(sentIds(outcomes).sort());
    expect(onQueue.size).toBe(10);
  });

  it('gives up on an entry that keeps failing transiently after maxSendAttempts, with growing waits', async () => {
    const seen = injectBatchEntryFaults(client, (body) =>
      body === 'm1' ? { senderFault: false, code: 'InternalError' } : undefined,
    );
    const outcomes = await transport.send('default', messages(3));
    expect(outcomes[1]).toMatchObject({ ok: false, code: 'InternalError', permanent: false });
    expect(seen.get('m1')).toBe(4);
    expect(clock.sleeps).toHaveLength(3);
    const [first, second, third] = clock.sleeps as [number, number, number];
    expect([
      first >= 100 && first <= 200,
      second >= 200 && second <= 400,
      third >= 400 && third <= 800,
    ]).toEqual([true, true, true]);
    expect([...(await drain(urls.url)).values()].sort()).toEqual(['m0', 'm2']);
  });

  it('reports every entry failed and none sent when the whole request keeps failing', async () => {
    const failedRequests = failBatchRequests(client, () => true);
    const outcomes = await transport.send('default', messages(25));
    expect(outcomes).toHaveLength(25);
    expect(outcomes.every((o) => !o.ok && o.code === 'request_failed' && !o.permanent)).toBe(true);
    expect(failedRequests).toHaveLength(3 * 4);
    expect((await drain(urls.url)).size).toBe(0);
  });

  it('does not resend chunks that succeeded when another chunk of the same send fails', async () => {
    const failedRequests = failBatchRequests(client, (bodies) => bodies.includes('m12'));
    const outcomes = await transport.send('default', messages(25));
    const failedIndexes = outcomes.flatMap((o, i) => (o.ok ? [] : [i]));
    expect(failedIndexes).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    expect(failedRequests).toHaveLength(4);
    expect(counter.get('SendMessageBatchCommand')).toBe(2 + 4);
    const onQueue = await drain(urls.url);
    expect([...onQueue.keys()].sort()).toEqual(sentIds(outcomes).sort());
  });

  it('does not retry a request the client caused, such as a missing queue', async () => {
    const missing = createSqsTransport({
      client,
      clock,
      queues: { default: { url: `${urls.url}-missing`, deadLetterUrl: urls.deadLetterUrl } },
    });
    const outcomes = await missing.send('default', messages(2));
    expect(outcomes.map((o) => !o.ok && o.code === 'request_failed' && !o.permanent)).toEqual([true, true]);
    expect(counter.get('SendMessageBatchCommand')).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails an oversize message permanently without sending it and sends the others', async () => {
    const outcomes = await transport.send('default', [
      message('small-1'),
      message('x'.repeat(1_048_577)),
      message('small-2'),
    ]);
    expect(outcomes[1]).toMatchObject({ ok: false, code: 'oversize', permanent: true });
    expect([...(await drain(urls.url)).values()].sort()).toEqual(['small-1', 'small-2']);
  });

  it('reports a bad receipt handle in DeleteMessageBatch and deletes the rest, in chunks of 10', async () => {
    await transport.send('default', messages(12));
    const received = [
      ...(await transport.receive('default', poll)),
      ...(await transport.receive('default', poll)),
    ];
    expect(received).toHaveLength(12);
    const handles = received.map((m) => m.receiptHandle);
    const failures = await transport.ack('default', [
      ...handles.slice(0, 5),
      'bogus-handle',
      ...handles.slice(5),
    ]);
    expect(failures).toEqual([
      expect.objectContaining({ receiptHandle: 'bogus-handle', code: 'ReceiptHandleIsInvalid' }),
    ]);
    expect(counter.get('DeleteMessageBatchCommand')).toBe(2);
    // Anything not deleted would become visible again here and show up in the drain.
    await transport.changeVisibility('default', handles, 0);
    expect((await drain(urls.url)).size).toBe(0);
  });

  it('reports a bad receipt handle in ChangeMessageVisibilityBatch and changes the rest', async () => {
    await transport.send('default', [message('job')]);
    const [received] = await transport.receive('default', poll);
    const failures = await transport.changeVisibility(
      'default',
      ['bogus-handle', received!.receiptHandle],
      0,
    );
    expect(failures).toEqual([
      expect.objectContaining({ receiptHandle: 'bogus-handle', code: 'ReceiptHandleIsInvalid' }),
    ]);
    const [again] = await transport.receive('default', poll);
    expect(again).toMatchObject({ messageId: received!.messageId, receiveCount: 2 });
  });

  it("puts a dead letter on the queue's DLQ, attributes included", async () => {
    await transport.sendToDeadLetter(
      'default',
      message('{"dead":true}', { attributes: { reason: 'bad_envelope' } }),
    );
    const { Messages = [] } = await sqsClient().send(
      new ReceiveMessageCommand({ QueueUrl: urls.deadLetterUrl, MessageAttributeNames: ['All'] }),
    );
    expect(Messages.map((m) => [m.Body, m.MessageAttributes?.reason?.StringValue])).toEqual([
      ['{"dead":true}', 'bad_envelope'],
    ]);
    expect((await drain(urls.url)).size).toBe(0);
  });

  it('throws when a dead letter cannot be written', async () => {
    const broken = createSqsTransport({
      client,
      queues: { default: { url: urls.url, deadLetterUrl: `${urls.deadLetterUrl}-missing` } },
    });
    await expect(broken.sendToDeadLetter('default', message('x'))).rejects.toSatisfy((e) =>
      hasCode(e, 'WHARF_TRANSPORT'),
    );
  });

  it('returns no messages promptly when a long poll is aborted', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const receiving = transport.receive('default', {
      ...poll,
      waitTimeSeconds: 20,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 200);
    expect(await receiving).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('throws ConfigError naming the known queues for an unknown logical queue', async () => {
    const error = await transport.send('emails', [message('x')]).catch((e: unknown) => e);
    expect(hasCode(error, 'WHARF_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/Unknown queue "emails".*Known queues: "default"/);
    expect(counter.total()).toBe(0);
  });

  it('refuses a send to a FIFO queue without a group, or with a delay, permanently and with the reason, sending nothing', async () => {
    const fifo = { url: `${urls.url}.fifo`, deadLetterUrl: `${urls.deadLetterUrl}.fifo` };
    const onFifo = createSqsTransport({ client, queues: { ordered: fifo }, clock });
    expect(onFifo.queueKind('ordered')).toBe('fifo');
    expect(transport.queueKind('default')).toBe('standard');
    const outcomes = await onFifo.send('ordered', [
      ...messages(2),
      { ...message('late'), groupId: 'g', delaySeconds: 5 },
    ]);
    expect(outcomes).toEqual([
      expect.objectContaining({ ok: false, code: 'missing_group', permanent: true }),
      expect.objectContaining({ ok: false, code: 'missing_group', permanent: true }),
      expect.objectContaining({ ok: false, code: 'fifo_delay', permanent: true }),
    ]);
    expect((outcomes[0] as { message: string }).message).toMatch(/FIFO queue needs a message group/);
    await expect(onFifo.sendToDeadLetter('ordered', message('x'))).rejects.toThrow(/message group/);
    expect(counter.total()).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors';
import type { SQSClient } from '../../src/transport/sqs/sqs-api';
import { createSqsMoveTasks, isUnsupportedAction } from '../../src/transport/sqs/sqs-move-tasks';

const urls = () => ({
  url: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders',
  deadLetterUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq',
});
const arnOf = (url: string) => `arn:aws:sqs:us-east-1:123456789012:${url.split('/').at(-1)}`;

interface Sent {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** An SQS client that answers like SQS with move tasks (or like an endpoint without them), recording requests. */
function fakeSqs(behaviour: { tasks?: unknown[]; listFails?: unknown; startFails?: unknown }) {
  const sent: Sent[] = [];
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      sent.push({ command: name, input: command.input });
      if (name === 'GetQueueAttributesCommand')
        return { Attributes: { QueueArn: arnOf(String(command.input.QueueUrl)) } };
      if (name === 'ListMessageMoveTasksCommand') {
        if (behaviour.listFails) throw behaviour.listFails;
        return { Results: behaviour.tasks ?? [] };
      }
      if (name === 'StartMessageMoveTaskCommand') {
        if (behaviour.startFails) throw behaviour.startFails;
        return { TaskHandle: 'task-1' };
      }
      throw new Error(`unexpected ${name}`);
    },
  };
  return { client: client as unknown as SQSClient, sent };
}

// What moto answers for an action it does not implement: an HTML page the SDK cannot parse.
const htmlPage = Object.assign(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON'), {
  $metadata: { httpStatusCode: 500 },
});

describe('SQS message move tasks', () => {
  it('starts a move from the DLQ with the source queue as explicit destination, at the rate asked', async () => {
    const { client, sent } = fakeSqs({});
    const started = await createSqsMoveTasks(client, urls).start('orders', { maxPerSecond: 50 });
    expect(started).toEqual({ kind: 'started' });
    expect(sent.find((s) => s.command === 'StartMessageMoveTaskCommand')?.input).toEqual({
      SourceArn: arnOf(urls().deadLetterUrl),
      DestinationArn: arnOf(urls().url),
      MaxNumberOfMessagesPerSecond: 50,
    });
  });

  it('refuses a second move while one is running, as SQS allows one active task per queue', async () => {
    const { client, sent } = fakeSqs({ tasks: [{ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 7 }] });
    await expect(createSqsMoveTasks(client, urls).start('orders', {})).rejects.toSatisfy(
      (error: Error) => hasCode(error, 'WHARF_CONFLICT') && /already running.*7 moved/.test(error.message),
    );
    expect(sent.some((s) => s.command === 'StartMessageMoveTaskCommand')).toBe(false);
  });

  it('reports an endpoint without move tasks as unsupported, once, and lists no tasks there', async () => {
    const { client, sent } = fakeSqs({ listFails: htmlPage });
    const tasks = createSqsMoveTasks(client, urls);
    expect(await tasks.start('orders', {})).toEqual({
      kind: 'unsupported',
      why: expect.stringContaining('SyntaxError'),
    });
    expect(await tasks.list('orders')).toEqual([]);
    expect(sent.filter((s) => s.command === 'ListMessageMoveTasksCommand')).toHaveLength(1);
  });

  it('reads task progress from ListMessageMoveTasks', async () => {
    const entry = {
      Status: 'COMPLETED',
      ApproximateNumberOfMessagesMoved: 3,
      ApproximateNumberOfMessagesToMove: 3,
      StartedTimestamp: 5,
    };
    const { client } = fakeSqs({ tasks: [entry] });
    expect(await createSqsMoveTasks(client, urls).list('orders')).toEqual([
      { status: 'COMPLETED', moved: 3, toMove: 3, startedAtMs: 5 },
    ]);
  });

  it('passes on other failures instead of pretending move tasks do not exist', async () => {
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const { client } = fakeSqs({ startFails: denied });
    await expect(createSqsMoveTasks(client, urls).start('orders', {})).rejects.toSatisfy((error: Error) =>
      hasCode(error, 'WHARF_TRANSPORT'),
    );
    expect(isUnsupportedAction(denied)).toBe(false);
    expect(isUnsupportedAction(Object.assign(new Error('x'), { name: 'UnknownOperationException' }))).toBe(
      true,
    );
  });
});

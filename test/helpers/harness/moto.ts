import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  createClient,
  createRegistry,
  type JobDefinition,
  type JobEvent,
  systemClock,
} from '../../../src/index';
import { createLambdaHandler } from '../../../src/lambda/index';
import { createDynamoJobStore, createJobTable } from '../../../src/store/dynamodb/index';
import { createSqsTransport } from '../../../src/transport/sqs/index';
import { dynamoClient, sqsClient, uniqueName } from '../aws';
import { pollOnce } from '../esm';
import { oneRequestAtATime } from '../job-store';
import { createQueuePair, drainQueue } from '../queues';
import type { Harness, HarnessEnv, HarnessOptions } from './types';

/** The AWS path: moto's SQS and DynamoDB, the middy Lambda handler run in-process on received messages. */
export const motoHarness: Harness = {
  name: 'moto server (SQS + DynamoDB + Lambda handler)',
  realTime: true,
  async setup(jobs: readonly JobDefinition[], options: HarnessOptions = {}): Promise<HarnessEnv> {
    const registry = createRegistry(jobs);
    const queue = registry.queues[0] ?? 'default';
    const sqs = sqsClient();
    // moto does not isolate concurrent writes to one item as DynamoDB does; see oneRequestAtATime.
    const dynamodb = oneRequestAtATime(dynamoClient());
    const failing = { claims: 0 };
    injectClaimFailures(dynamodb, failing);
    const { url, deadLetterUrl, arn } = await createQueuePair(sqs, {
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 2,
    });
    const tableName = uniqueName('wharf-jobs');
    await createJobTable(dynamodb, tableName);
    const transport = createSqsTransport({ client: sqs, queues: { [queue]: { url, deadLetterUrl } } });
    const store = createDynamoJobStore({ client: dynamodb, tableName });
    const engineStore = options.wrapStore ? options.wrapStore(store) : store;
    const events: JobEvent[] = [];
    const handler = createLambdaHandler({
      registry,
      queue,
      transport,
      store: engineStore,
      random: () => 0,
      leaseMargin: options.leaseMargin ?? '10s',
      onEvent: (e) => events.push(e),
      unknownJobDeferrals: options.unknownJobDeferrals ?? 3,
      unknownJobDelay: '1s',
    });
    const target = {
      sqs,
      queueUrl: url,
      queueArn: arn,
      handler: (e: Parameters<typeof handler>[0], c: Parameters<typeof handler>[1]) => handler(e, c),
    };
    const deliver = async () => (await pollOnce({ ...target, waitTimeSeconds: 1 })).records.length;
    const client = createClient({ transport, store });
    return {
      client,
      cancel: client.cancel,
      store,
      clock: systemClock,
      events,
      queue,
      deliver,
      drain: (drainOptions) => drainQueue(sqs, url, deliver, drainOptions?.timeoutMs ?? 25_000),
      advance: (ms) => new Promise((r) => setTimeout(r, ms)),
      deadLetters: () => receiveAll(sqs, deadLetterUrl),
      sendRaw: async (body) =>
        void (await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }))),
      failStoreClaims: (times) => {
        failing.claims = times;
      },
      teardown: async () => {
        sqs.destroy();
        dynamodb.destroy();
      },
    };
  },
};

/** Every message on a queue as plain receives show it (body and string attributes), up to 100. */
export async function receiveAll(sqs: ReturnType<typeof sqsClient>, url: string) {
  const views: { body: string; attributes: Record<string, string> }[] = [];
  for (let i = 0; i < 10; i++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 30,
        WaitTimeSeconds: i === 0 ? 1 : 0,
      }),
    );
    if (Messages.length === 0) break;
    for (const m of Messages) {
      views.push({
        body: m.Body ?? '',
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
        ),
      });
    }
  }
  return views;
}

/** Fails UpdateItem calls that claim a job (they set status to running) while `failing.claims` > 0. */
function injectClaimFailures(client: ReturnType<typeof dynamoClient>, failing: { claims: number }) {
  const stack = client.middlewareStack as unknown as { add(mw: unknown, options: object): void };
  stack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input?: { ExpressionAttributeValues?: Record<string, { S?: string }> } }) => {
        const values = Object.values(args.input?.ExpressionAttributeValues ?? {});
        const isClaim = context.commandName === 'UpdateItemCommand' && values.some((v) => v.S === 'running');
        if (isClaim && failing.claims > 0) {
          failing.claims--;
          throw Object.assign(new Error('Service unavailable (injected)'), {
            name: 'ServiceUnavailable',
            $fault: 'server',
          });
        }
        return next(args);
      },
    { step: 'initialize', name: 'wharfInjectClaimFailure' },
  );
}

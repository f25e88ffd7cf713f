import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  type GetScheduleOutput,
  ListSchedulesCommand,
} from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createClient } from '../../src/client/client';
import type { WharfClient } from '../../src/client/types';
import type { JobEvent } from '../../src/engine/events';
import type { JobDefinition } from '../../src/job/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLambdaHandler } from '../../src/lambda/lambda-handler';
import { createManualClock, type ManualClock } from '../../src/local/manual-clock';
import { substituteContextAttributes } from '../../src/schedule/context-attributes';
import { createEventBridgeScheduler } from '../../src/schedule/eventbridge/eventbridge-scheduler';
import type { JobScheduler } from '../../src/schedule/types';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import { createSqsTransport } from '../../src/transport/sqs/index';
import { dynamoClient, schedulerClient, sqsClient, uniqueName } from './aws';
import { pollOnce } from './esm';
import { oneRequestAtATime } from './job-store';
import { createQueuePair } from './queues';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/wharf-scheduler';

/** Every Scheduler request the library made, with its input, as sent (moto does not keep all of it). */
export interface SentRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/**
 * The AWS path of scheduling on moto server: a queue with its DLQ, a schedule group, a job table, the client and
 * the Lambda handler (run in-process on messages received from moto's SQS, as the event source mapping would).
 * Producer and worker share a manual clock, so a firing can be delivered "at its time".
 */
export async function createSchedulerWorld(jobs: readonly JobDefinition[]) {
  const sqs = sqsClient();
  const scheduler = schedulerClient();
  const dynamodb = oneRequestAtATime(dynamoClient());
  const sent = captureRequests(scheduler);
  const groupName = uniqueName('wharf');
  await scheduler.send(new CreateScheduleGroupCommand({ Name: groupName }));
  const queue = await createQueuePair(sqs, { prefix: 'wharf-sq' });
  const tableName = uniqueName('wharf-jobs');
  await createJobTable(dynamodb, tableName);
  const clock: ManualClock = createManualClock(Math.floor(Date.now() / 1000) * 1000);
  const jobScheduler: JobScheduler = createEventBridgeScheduler({
    client: scheduler,
    groupName,
    roleArn: ROLE_ARN,
    queues: { default: { arn: queue.arn, deadLetterArn: queue.deadLetterArn } },
    clock,
  });
  const transport = createSqsTransport({ client: sqs, queues: { default: queue } });
  const store = createDynamoJobStore({ client: dynamodb, tableName });
  const registry = createRegistry(jobs);
  const events: JobEvent[] = [];
  const client: WharfClient = createClient({ transport, clock, scheduler: jobScheduler, registry });
  const handler = createLambdaHandler({
    registry,
    queue: 'default',
    transport,
    store,
    scheduler: jobScheduler,
    clock,
    random: () => 0,
    onEvent: (e) => events.push(e),
  });
  const target = { sqs, queueUrl: queue.url, queueArn: queue.arn, handler, waitTimeSeconds: 1 };
  const getSchedule = (name: string): Promise<GetScheduleOutput> =>
    scheduler.send(new GetScheduleCommand({ Name: name, GroupName: groupName }));
  return {
    sqs,
    scheduler,
    store,
    client,
    clock,
    events,
    sent,
    queue,
    groupName,
    getSchedule,
    /** Names of the schedules in the group. */
    scheduleNames: async () =>
      ((await scheduler.send(new ListSchedulesCommand({ GroupName: groupName }))).Schedules ?? []).map(
        (s) => s.Name,
      ),
    /** Runs the Lambda handler on what the queue holds until a poll comes back empty. */
    deliverAll: async () => {
      let handled = 0;
      for (
        let n = (await pollOnce(target)).records.length;
        n > 0;
        n = (await pollOnce(target)).records.length
      )
        handled += n;
      return handled;
    },
    /**
     * What Scheduler does when a schedule fires, which moto never does: read the schedule's own target Input,
     * substitute the context attributes as Scheduler would, and send it to the target queue as the message body
     * (the SQS target sends no message attributes).
     */
    fire: async (name: string, scheduledTimeMs: number, executionId: string = crypto.randomUUID()) => {
      const schedule = await getSchedule(name);
      const body = substituteContextAttributes(schedule.Target!.Input!, {
        scheduledTimeMs,
        scheduleArn: schedule.Arn!,
        executionId,
        attemptNumber: 1,
      });
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
      return body;
    },
    queueCounts: () => queueCounts(sqs, queue.url),
    teardown: () => {
      sqs.destroy();
      scheduler.destroy();
      dynamodb.destroy();
    },
  };
}

export type SchedulerWorld = Awaited<ReturnType<typeof createSchedulerWorld>>;

function captureRequests(client: ReturnType<typeof schedulerClient>): SentRequest[] {
  const sent: SentRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({
        command: context.commandName ?? '',
        input: structuredClone(args.input) as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: 'wharfTestCaptureSchedulerRequests' },
  );
  return sent;
}

async function queueCounts(sqs: SQSClient, url: string) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

import {
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createClient } from 'wharf-jobs';
import type { OutgoingMessage, Transport } from 'wharf-jobs/adapters';
import { createEventBridgeScheduler, createSqsTransport } from 'wharf-jobs/aws';
import { createLambdaHandler } from 'wharf-jobs/lambda';
import { createManualClock } from 'wharf-jobs/local';
import { createQueuePair, type Emulator, type QueuePair, uniqueName } from '../aws/emulator';
import { deliver } from '../aws/esm';
import { type Actor, RequestLog } from '../aws/request-log';
import type { Measured } from '../measured';
import { noopJobs } from './jobs';

const FIFTEEN_MINUTES_MS = 15 * 60_000;
const ROLE_ARN = 'arn:aws:iam::123456789012:role/wharf-bench-scheduler';

/** One way wharf carries a job delayed beyond SQS's 15 minutes, measured on the emulator. */
export interface LongDelayPath {
  /** For the table: `Scheduler`, `SQS hops`. */
  readonly short: string;
  readonly name: string;
  /** How its cost moves with the length of the delay. */
  readonly scaling: string;
  measure(
    emulator: Emulator,
    options: { readonly jobs: number; readonly delayMs: number },
  ): Promise<Measured>;
}

/**
 * With a scheduler (WHARF_SCHEDULE_GROUP, as the CDK construct configures it): one one-time schedule per job.
 * moto stores schedules but never fires them, so the firing is played as the test suite plays it: each schedule's
 * own target Input (a one-time job's envelope, without placeholders) is read back and sent to its queue, logged as
 * Scheduler's request, one Scheduler invocation each; producer and worker share a clock moved to the due time.
 */
export const schedulerPath: LongDelayPath = {
  short: 'Scheduler',
  scaling: 'is the same for any delay',
  name: 'wharf with EventBridge Scheduler: one schedule per job (src/schedule/dispatch.ts)',
  async measure(emulator, { jobs, delayMs }) {
    const log = new RequestLog();
    const clock = createManualClock(Math.floor(Date.now() / 1000) * 1000);
    const queue = await createQueuePair(emulator, 'wharf-scheduled');
    const readBack = emulator.scheduler(new RequestLog(), 'producer');
    const groupName = uniqueName('wharf-bench');
    await readBack.send(new CreateScheduleGroupCommand({ Name: groupName }));
    const scheduler = createEventBridgeScheduler({
      client: emulator.scheduler(log, 'producer'),
      groupName,
      roleArn: ROLE_ARN,
      queues: { default: { arn: queue.arn, deadLetterArn: queue.deadLetterArn } },
      clock,
    });
    const noop = noopJobs('off');
    const client = createClient({
      transport: transportTo(emulator, log, 'producer', queue),
      clock,
      scheduler,
    });
    const requests = Array.from({ length: jobs }, (_, i) => noop.job.with({ i }, { delay: { ms: delayMs } }));
    const { enqueued } = await client.enqueueMany(requests);
    if (enqueued.some((job) => job.via !== 'scheduler'))
      throw new Error('a long delay did not go to Scheduler');
    clock.advance(delayMs);
    const firing = emulator.sqs(log, 'scheduler');
    const names = (await readBack.send(new ListSchedulesCommand({ GroupName: groupName }))).Schedules ?? [];
    for (const { Name } of names) {
      const schedule = await readBack.send(new GetScheduleCommand({ Name, GroupName: groupName }));
      await firing.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: schedule.Target?.Input }));
    }
    const handler = createLambdaHandler({
      registry: noop.registry,
      queue: 'default',
      clock,
      scheduler,
      transport: transportTo(emulator, log, 'worker', queue),
    });
    const delivery = await deliver(emulator.sqs(log, 'esm'), queue, (e, c) => handler(e, c), jobs);
    return {
      label: this.name,
      log,
      jobs,
      lambdaInvocations: delivery.invocations,
      schedulerInvocations: names.length,
      tables: [],
    };
  },
};

/**
 * Without a scheduler (or on a FIFO queue, or with a body over Scheduler's 256 KB Input): the message carries its
 * due time and the worker re-sends it 15 minutes further on each delivery until it is due. moto cannot
 * fast-forward SQS delays, so time is compressed: the engine's clock jumps 15 minutes per round and messages go
 * out with DelaySeconds 0, alternating between two physical queues so a round only sees what the previous one
 * sent. Every request is one the path makes.
 */
export const sqsHopPath: LongDelayPath = {
  short: 'SQS hops',
  scaling:
    'grows with the delay: each further 15 minutes adds a re-send per job (about 1.2 requests, 0.1 invocations)',
  name: 'wharf without a scheduler: re-sent every 15 min through SQS (src/envelope/outgoing.ts)',
  async measure(emulator, { jobs, delayMs }) {
    const log = new RequestLog();
    const clock = createManualClock();
    const queues = [
      await createQueuePair(emulator, 'wharf-hop-a'),
      await createQueuePair(emulator, 'wharf-hop-b'),
    ];
    const noop = noopJobs('off');
    let round = 0;
    let succeeded = 0;
    const toNext = queues.map((q) => transportTo(emulator, log, 'worker', q));
    const handler = createLambdaHandler({
      registry: noop.registry,
      queue: 'default',
      clock,
      transport: compressDelays({
        send: (queue, messages) => toNext[(round + 1) % 2]!.send(queue, messages),
        sendToDeadLetter: (queue, message) => toNext[(round + 1) % 2]!.sendToDeadLetter(queue, message),
      }),
      onEvent: (event) => {
        if (event.type === 'succeeded') succeeded++;
      },
    });
    const producer = compressDelays(transportTo(emulator, log, 'producer', queues[0]!));
    const requests = Array.from({ length: jobs }, (_, i) => noop.job.with({ i }, { delay: { ms: delayMs } }));
    await createClient({ transport: producer, clock }).enqueueMany(requests);
    const esm = emulator.sqs(log, 'esm');
    let lambdaInvocations = 0;
    for (; succeeded < jobs; round++) {
      if (round > delayMs / FIFTEEN_MINUTES_MS + 2)
        throw new Error(`jobs still not run after ${round} rounds`);
      clock.advance(FIFTEEN_MINUTES_MS);
      const delivery = await deliver(esm, queues[round % 2]!, (e, c) => handler(e, c), jobs);
      lambdaInvocations += delivery.invocations;
    }
    return { label: this.name, log, jobs, lambdaInvocations, schedulerInvocations: 0, tables: [] };
  },
};

/** Every path figure 1 measures; add a path here to have it measured beside the others. */
export const LONG_DELAY_PATHS: readonly LongDelayPath[] = [schedulerPath, sqsHopPath];

export function transportTo(emulator: Emulator, log: RequestLog, actor: Actor, queue: QueuePair): Transport {
  return createSqsTransport({
    client: emulator.sqs(log, actor),
    queues: { default: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } },
  });
}

/** The same sends, made visible at once: the rounds above stand in for the 15-minute waits. */
export function compressDelays(transport: Transport): Transport {
  const now = (m: OutgoingMessage): OutgoingMessage => ({ ...m, delaySeconds: 0 });
  return {
    send: (queue, messages) => transport.send(queue, messages.map(now)),
    sendToDeadLetter: (queue, message) => transport.sendToDeadLetter(queue, now(message)),
  };
}

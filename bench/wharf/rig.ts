import { createClient, type Enqueuer, type IdempotencyMode } from 'wharf-jobs';
import { createDynamoJobStore, createJobTable, createSqsTransport } from 'wharf-jobs/aws';
import { createLambdaHandler } from 'wharf-jobs/lambda';
import { createQueuePair, type Emulator, uniqueName } from '../aws/emulator';
import { RequestLog } from '../aws/request-log';
import type { Producer, Rig } from '../scenario';
import { benchMetrics } from './emf-sink';
import { type NoopFlow, type NoopJobs, noopJobs } from './jobs';

/**
 * wharf on the emulator as a deployment has it: the SQS transport and the DynamoDB store behind the Lambda
 * handler, with its EMF metrics on, and a producer with its own client. The handler gets no logger: the baseline
 * logs nothing either (the from-env entry's lifecycle lines are a choice of the deployment's log level, not a
 * cost of the engine).
 */
export async function wharfRig(
  emulator: Emulator,
  mode: IdempotencyMode,
  flow?: NoopFlow,
  { metrics = true } = {},
): Promise<Rig> {
  const log = new RequestLog();
  const queue = await createQueuePair(emulator, `wharf-${mode}${flow ? `-${flow}` : ''}`);
  const queues = { default: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } };
  const tableName = mode === 'off' && !flow ? undefined : uniqueName('wharf-jobs');
  if (tableName) await createJobTable(emulator.setup.dynamodb, tableName);
  const jobs = noopJobs(mode, flow);
  // A unique key is taken by the producer, in the same table.
  const producerStore =
    flow === 'unique' && tableName
      ? createDynamoJobStore({ client: emulator.dynamodb(log, 'producer'), tableName })
      : undefined;
  const client = createClient({
    transport: createSqsTransport({ client: emulator.sqs(log, 'producer'), queues }),
    ...(producerStore ? { store: producerStore } : {}),
  });
  const handler = createLambdaHandler({
    registry: jobs.registry,
    queue: 'default',
    transport: createSqsTransport({ client: emulator.sqs(log, 'worker'), queues }),
    store: tableName
      ? createDynamoJobStore({ client: emulator.dynamodb(log, 'worker'), tableName })
      : undefined,
    // On, as a deployed worker has them (emf-sink.ts): they cost CPU, and no request.
    ...(metrics ? { metrics: benchMetrics() } : {}),
  });
  return {
    label: `wharf ${mode}${flow ? ` + ${flow}` : ''}${metrics ? '' : ', no metrics'}`,
    queue,
    tables: tableName ? [tableName] : [],
    log,
    handler: (event, context) => handler(event, context),
    esmSqs: emulator.sqs(log, 'esm'),
    enqueue: (count, producer) => enqueueNoops(client, jobs, count, producer),
  };
}

let next = 0;

/** `enqueue` per job, awaited in turn, or one `enqueueMany` (10 per SendMessageBatch, 5 requests in flight). */
export async function enqueueNoops(
  client: Enqueuer,
  jobs: NoopJobs,
  count: number,
  producer: Producer,
): Promise<void> {
  const requests = Array.from({ length: count }, () => jobs.job.with({ i: next++ }));
  if (producer === 'one-by-one') {
    for (const request of requests) await client.enqueue(request);
    return;
  }
  const { failed } = await client.enqueueMany(requests);
  if (failed.length > 0)
    throw new Error(`${failed.length} jobs were not enqueued: ${failed[0]?.error.message}`);
}

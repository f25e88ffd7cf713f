import { createClient, createRegistry, defineJob } from 'wharf-jobs';
import { createDynamoJobStore, createJobTable } from 'wharf-jobs/aws';
import { createLambdaHandler } from 'wharf-jobs/lambda';
import { createQueuePair, type Emulator, uniqueName } from '../aws/emulator';
import { deliver } from '../aws/esm';
import { RequestLog } from '../aws/request-log';
import type { Measured } from '../measured';
import { noopPayloadSchema } from './jobs';
import { transportTo } from './long-delay';

/**
 * One batch of `jobs` tracked children with an onFinish callback, as a deployment runs it: the producer's
 * enqueueBatch (the batch record, the children's SendMessageBatch), the Lambda handler taking every child (its
 * record, the count transaction and the read of the batch) and the callback (claimed exactly once). Costs per child.
 */
export async function measureBatch(
  emulator: Emulator,
  { jobs }: { readonly jobs: number },
): Promise<Measured> {
  const log = new RequestLog();
  const queue = await createQueuePair(emulator, 'wharf-batch');
  const tableName = uniqueName('wharf-jobs');
  await createJobTable(emulator.setup.dynamodb, tableName);
  const child = defineJob({ name: 'noop', schema: noopPayloadSchema, perform: () => undefined });
  const summarize = defineJob({ name: 'summarize', schema: noopPayloadSchema, perform: () => undefined });
  const registry = createRegistry([child, summarize]);
  const client = createClient({
    transport: transportTo(emulator, log, 'producer', queue),
    store: createDynamoJobStore({ client: emulator.dynamodb(log, 'producer'), tableName }),
  });
  let ran = 0;
  const worker = createLambdaHandler({
    registry,
    queue: 'default',
    transport: transportTo(emulator, log, 'worker', queue),
    store: createDynamoJobStore({ client: emulator.dynamodb(log, 'worker'), tableName }),
    onEvent: (event) => {
      if (event.type === 'succeeded') ran++;
    },
  });
  const run = (e: Parameters<typeof worker>[0], c: Parameters<typeof worker>[1]) => worker(e, c);
  const requests = Array.from({ length: jobs }, (_, i) => child.with({ i }));
  await client.enqueueBatch(requests, { onFinish: summarize.with({ i: -1 }) });
  const delivered = await deliver(emulator.sqs(log, 'esm'), queue, run, jobs + 1);
  if (ran !== jobs + 1) throw new Error(`${ran} runs for ${jobs} children and their callback`);
  return {
    label: `wharf tracked, one batch of ${jobs} with onFinish`,
    log,
    jobs,
    lambdaInvocations: delivered.invocations,
    schedulerInvocations: 0,
    tables: [tableName],
  };
}

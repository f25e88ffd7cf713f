import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { createClient } from 'wharf-jobs';
import { createDynamoJobStore, createJobTable, createSqsTransport } from 'wharf-jobs/aws';
import { createLambdaHandler } from 'wharf-jobs/lambda';
import { createOutboxRelay } from '../../src/outbox/relay-handler';
import { insertRecordOf } from '../../test/helpers/outbox-records';
import { createQueuePair, type Emulator, uniqueName } from '../aws/emulator';
import { deliver } from '../aws/esm';
import { RequestLog } from '../aws/request-log';
import type { Measured } from '../measured';
import { noopJobs } from './jobs';

/** Jobs per stream batch the relay is handed (a committed transaction's entries arrive together). */
const STREAM_BATCH = 10;

/**
 * Enqueue after commit, as a deployment runs it: each job is put in the outbox by a TransactWriteItems of its own
 * (the caller's transaction; its own items are the caller's cost and are left out), the relay is handed the
 * stream's INSERT records in batches, as Lambda's event source mapping hands them (reading a stream from a Lambda
 * trigger is not billed, and moto runs no function from it: the records are built from the entries, as the
 * stream would carry them), and the Lambda handler runs the jobs. Tracked jobs, compared with tracked enqueues.
 */
export async function measureOutbox(
  emulator: Emulator,
  { jobs }: { readonly jobs: number },
): Promise<Measured> {
  const log = new RequestLog();
  const queue = await createQueuePair(emulator, 'wharf-outbox');
  const queues = { default: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } };
  const tableName = uniqueName('wharf-jobs');
  await createJobTable(emulator.setup.dynamodb, tableName);
  const noop = noopJobs('tracked');
  const client = createClient({
    transport: createSqsTransport({ client: emulator.sqs(log, 'producer'), queues }),
    outboxTable: tableName,
  });
  const producerDynamo = emulator.dynamodb(log, 'producer');
  const relay = createOutboxRelay({
    transport: createSqsTransport({ client: emulator.sqs(log, 'worker'), queues }),
    outbox: createDynamoJobStore({ client: emulator.dynamodb(log, 'worker'), tableName }),
    onEvent: () => undefined,
  });
  const handler = createLambdaHandler({
    registry: noop.registry,
    queue: 'default',
    transport: createSqsTransport({ client: emulator.sqs(log, 'worker'), queues }),
    store: createDynamoJobStore({ client: emulator.dynamodb(log, 'worker'), tableName }),
  });
  let sequence = 0;
  let lambdaInvocations = 0;
  for (let done = 0; done < jobs; done += STREAM_BATCH) {
    const records = [];
    for (let i = done; i < Math.min(jobs, done + STREAM_BATCH); i++) {
      const entries = await client.transactItems(noop.job.with({ i }));
      await producerDynamo.send(new TransactWriteItemsCommand({ TransactItems: entries }));
      records.push(...entries.map((entry) => insertRecordOf(entry, ++sequence)));
    }
    const answer = await relay({ Records: records });
    if (answer.batchItemFailures.length > 0) throw new Error('the relay failed records');
    lambdaInvocations++;
  }
  const delivery = await deliver(emulator.sqs(log, 'esm'), queue, (e, c) => handler(e, c), jobs);
  return {
    label: 'wharf tracked, through the outbox',
    log,
    jobs,
    lambdaInvocations: lambdaInvocations + delivery.invocations,
    schedulerInvocations: 0,
    tables: [tableName],
  };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createJobTable } from 'wharf-jobs/aws';
import { createQueuePair } from '../test/helpers/queues';

/** The driver's own clients: they set up, enqueue and read back, and never see an injected fault. */
export interface DriverClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  destroy(): void;
}

export function driverClients(endpoint: string): DriverClients {
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'soak', secretAccessKey: 'soak' },
  };
  const sqs = new SQSClient(config);
  const dynamodb = new DynamoDBClient(config);
  return {
    sqs,
    dynamodb,
    destroy: () => {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

export interface SoakResources {
  readonly queueUrl: string;
  readonly deadLetterUrl: string;
  readonly tableName: string;
}

/**
 * Redrive after this many receives: far more than a job killed a few times needs, so SQS itself never moves a
 * message that wharf still handles. A message SQS moves anyway arrives without wharf's reason attribute, and the
 * soak reports it.
 */
export const MAX_RECEIVE_COUNT = 20;

export async function createResources(
  clients: DriverClients,
  visibilitySeconds: number,
): Promise<SoakResources> {
  const queues = await createQueuePair(clients.sqs, {
    prefix: 'soak',
    visibilityTimeoutSeconds: visibilitySeconds,
    maxReceiveCount: MAX_RECEIVE_COUNT,
  });
  const tableName = `${queues.url.split('/').at(-1)}-jobs`;
  await createJobTable(clients.dynamodb, tableName);
  return { queueUrl: queues.url, deadLetterUrl: queues.deadLetterUrl, tableName };
}

/** Messages still on the queue: visible, in flight and delayed (moto's counts are exact). */
export { messagesLeft } from '../test/helpers/queues';

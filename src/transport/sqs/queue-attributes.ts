import { TransportError } from '../../errors.js';
import { GetQueueAttributesCommand, type SQSClient } from './sqs-api.js';

/** GetQueueAttributes, with a failure reported as a transport error naming the queue. */
export async function queueAttributes(
  client: SQSClient,
  queueUrl: string,
  names: readonly string[],
): Promise<Record<string, string>> {
  try {
    const response = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: names as GetQueueAttributesCommand['input']['AttributeNames'],
      }),
    );
    return response.Attributes ?? {};
  } catch (error) {
    throw new TransportError(`GetQueueAttributes on ${queueUrl} failed`, { cause: error });
  }
}

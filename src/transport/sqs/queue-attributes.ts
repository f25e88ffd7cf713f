import { WharfError } from '../../errors.js';
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
    throw new WharfError('WHARF_TRANSPORT', `GetQueueAttributes on ${queueUrl} failed`, { cause: error });
  }
}

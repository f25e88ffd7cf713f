import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { sqsClient, uniqueName } from '../helpers/aws';

describe('moto server', () => {
  it('speaks the SQS JSON protocol to the AWS SDK', async () => {
    const sqs = sqsClient();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('smoke') }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"hello":1}' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(received.Messages?.[0]?.Body).toBe('{"hello":1}');
  });
});

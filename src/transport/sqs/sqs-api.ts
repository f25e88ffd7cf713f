/**
 * The only file of the library that imports the SQS client, so the SDK surface we depend on is visible in one
 * place (and a bundle that never talks to SQS never loads it).
 */

export type {
  BatchResultErrorEntry,
  ListMessageMoveTasksResultEntry,
  Message,
  MessageAttributeValue,
  SendMessageBatchRequestEntry,
  SQSClientConfig,
} from '@aws-sdk/client-sqs';
export {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

/**
 * The only file of the library that imports the SQS client, so the SDK surface we depend on is visible in one
 * place (and a bundle that never talks to SQS never loads it).
 */

export type {
  BatchResultErrorEntry,
  Message,
  MessageAttributeValue,
  SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
export {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

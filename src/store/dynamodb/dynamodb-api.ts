// The only module that imports the DynamoDB SDK (DESIGN: "exactly one file imports each AWS SDK client"), so the
// rest of the store, and anything that bundles it, sees the SDK through this narrow list.

export type { AttributeValue } from '@aws-sdk/client-dynamodb';
export {
  BatchGetItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

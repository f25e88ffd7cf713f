import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The floor under both cold-start figures: the DynamoDB client alone, which the baseline and wharf both need for
 * job state. Whatever either library adds comes on top of this.
 */
const client = new DynamoDBClient({});

export const handler = async (): Promise<string> => String(client.config.serviceId);

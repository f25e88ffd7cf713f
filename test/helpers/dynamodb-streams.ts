import { createHash, createHmac } from 'node:crypto';
import { DescribeTableCommand, type DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { motoEndpoint } from './aws';

/**
 * DynamoDB Streams on moto, read with the Streams API itself (DescribeStream, GetShardIterator, GetRecords).
 * @aws-sdk/client-dynamodb-streams is not a dependency of this repository, so these few calls are made with
 * fetch, signed with SigV4 as the SDK signs them (moto routes a `DynamoDBStreams_20120810` target on the
 * `dynamodb` signing name to its Streams backend).
 *
 * moto records stream records but never invokes Lambda from them, so a test plays them through the relay handler
 * itself, as Lambda's event source mapping would: `streamEvent` turns what GetRecords returned into the
 * DynamoDBStreamEvent Lambda passes.
 */
export async function enableStream(dynamodb: DynamoDBClient, tableName: string): Promise<string> {
  await dynamodb.send(
    new UpdateTableCommand({
      TableName: tableName,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn) throw new Error(`moto gave table ${tableName} no stream`);
  return Table.LatestStreamArn;
}

/** Every record the stream holds, oldest first, from each shard's trim horizon. */
export async function readStream(streamArn: string): Promise<DynamoDBRecord[]> {
  const description = (await streamsCall('DescribeStream', { StreamArn: streamArn })) as {
    StreamDescription: { Shards: { ShardId: string }[] };
  };
  const records: DynamoDBRecord[] = [];
  // A fresh iterator on every read: moto rolls a cancelled transaction back by restoring a copy of the table,
  // stream shard included, so an iterator taken before would read the shard the rollback replaced.
  for (const shard of description.StreamDescription.Shards) {
    const { ShardIterator } = (await streamsCall('GetShardIterator', {
      StreamArn: streamArn,
      ShardId: shard.ShardId,
      ShardIteratorType: 'TRIM_HORIZON',
    })) as { ShardIterator: string };
    let iterator: string | undefined = ShardIterator;
    for (let page = 0; iterator && page < 100; page++) {
      const batch = (await streamsCall('GetRecords', { ShardIterator: iterator, Limit: 1000 })) as {
        Records: DynamoDBRecord[];
        NextShardIterator?: string;
      };
      if (batch.Records.length === 0) break;
      records.push(...batch.Records.map((r) => ({ ...r, eventSourceARN: streamArn })));
      iterator = batch.NextShardIterator;
    }
  }
  return records;
}

/** The records as Lambda hands them to a function (the mapping's filter applied first, as on AWS). */
export function streamEvent(records: readonly DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: [...records] };
}

/** The event source mapping's FilterCriteria of the construct: INSERTs of `outbox#` keys only. */
export function outboxInserts(records: readonly DynamoDBRecord[]): DynamoDBRecord[] {
  return records.filter((r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.pk?.S?.startsWith('outbox#'));
}

async function streamsCall(operation: string, input: object): Promise<unknown> {
  const url = new URL(motoEndpoint());
  const body = JSON.stringify(input);
  const headers = signedHeaders(url, body, `DynamoDBStreams_20120810.${operation}`);
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`DynamoDB Streams ${operation} failed: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** SigV4 for a JSON 1.0 POST to `/`, with the test's fake credentials. */
function signedHeaders(url: URL, body: string, target: string): Record<string, string> {
  const region = 'us-east-1';
  const service = 'dynamodb';
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.0',
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-target': target,
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    '/',
    '',
    ...names.map((n) => `${n}:${headers[n]}`),
    '',
    names.join(';'),
    sha256(body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key: Buffer = hmac(`AWS4${process.env.AWS_SECRET_ACCESS_KEY ?? 'testing'}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const accessKey = process.env.AWS_ACCESS_KEY_ID ?? 'testing';
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

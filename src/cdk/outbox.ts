import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  FilterCriteria,
  FilterRule,
  Runtime,
  StartingPosition,
  type Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError } from '../errors.js';
import { OUTBOX_KEY_PREFIX } from '../store/dynamodb/outbox-item.js';
import { type AlarmPolicy, outboxAlarm } from './alarms.js';
import { type GrantTargets, grantSend, TABLE_KEY_WRITE_ACTIONS } from './grants.js';
import { JOB_TABLE_SCHEMA } from './job-table-schema.js';
import { workerCode } from './worker-bundle.js';

/** The relay's side of the job table: an entry's pending check and its clear. */
export const OUTBOX_RELAY_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:DeleteItem'];
/** A producer's side: the Put of an entry in its own TransactWriteItems (authorized per item, as PutItem). */
export const OUTBOX_PRODUCER_TABLE_ACTIONS = ['dynamodb:PutItem'];

/**
 * Stream records the relay's event source mapping retries (with the batch bisected) before it gives a record
 * up to the failure queue. A record fails only when a send or a DynamoDB call failed (a poison entry is
 * dead-lettered, not failed), and a failing record holds back the records behind it in its shard: enough to
 * ride out a throttle or a short outage, then out of the way.
 */
export const OUTBOX_RETRY_ATTEMPTS = 10;

export interface OutboxRelayInput {
  readonly table: ITable;
  readonly targets: GrantTargets;
  /** The dead-letter queue of every address, for poison entries. */
  readonly deadLetterQueues: readonly IQueue[];
  /** The WHARF_* variables every function gets. */
  readonly environment: Readonly<Record<string, string>>;
  readonly encryptionKey?: IKey;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly logEncryptionKey?: IKey;
  readonly failureQueueRemovalPolicy: RemovalPolicy;
  readonly tracing: Tracing;
  readonly alarms: AlarmPolicy;
}

/** The outbox's resources (WharfJobsProps `outbox`). */
export interface WharfOutbox {
  /** The relay function, `Outbox/Relay`. */
  readonly relay: NodejsFunction;
  /**
   * `Outbox/FailedRecords`: what the event source mapping gave up on, a message per batch naming the shard and
   * its sequence numbers.
   */
  readonly failedRecords: IQueue;
  /** Records given up on (`outboxFailedRecords`), and entries waiting too long for the relay (`outboxLag`). */
  readonly alarms: { readonly failedRecords?: Alarm; readonly lag?: Alarm };
}

/**
 * The outbox relay (README "Enqueue after commit"), under `Outbox/`: a function bundled from this package's own
 * entry, triggered by the job table's stream through an event source mapping that only passes INSERTs of
 * `outbox#` keys (the job records' writes are filtered out by Lambda and cost no invocation), with partial batch
 * responses, bisection on error, a retry limit and an on-failure queue, so a record that keeps failing is kept
 * (its entry stays in the table until its TTL, and the queue says where it was in the stream).
 */
export function addOutboxRelay(parent: Construct, input: OutboxRelayInput): WharfOutbox {
  const scope = new Construct(parent, 'Outbox');
  const failedRecords = new Queue(scope, 'FailedRecords', {
    ...(input.encryptionKey
      ? { encryption: QueueEncryption.KMS, encryptionMasterKey: input.encryptionKey }
      : { encryption: QueueEncryption.SQS_MANAGED }),
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: input.failureQueueRemovalPolicy,
  });
  for (const id of ['Serverless-SQSRedrivePolicy', 'AwsSolutions-SQS3']) {
    Validations.of(failedRecords).acknowledge({
      id,
      reason:
        "this queue is the relay's on-failure destination, a dead-letter queue itself; one of its own would only hide its records",
    });
  }
  const logGroup = new LogGroup(scope, 'RelayLogGroup', {
    retention: input.logRetention,
    removalPolicy: input.logRemovalPolicy,
    encryptionKey: input.logEncryptionKey,
  });
  const role = new Role(scope, 'RelayRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: 'wharf outbox relay: job table stream to the job queues',
  });
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const relay = new NodejsFunction(scope, 'Relay', {
    handler: 'index.handler',
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    // A batch of 100 entries is 100 checks, 10 send batches and 100 clears, 16 at a time: seconds, not minutes.
    timeout: Duration.minutes(1),
    tracing: input.tracing,
    logGroup,
    role,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...input.environment },
    code: workerCode(relayEntry(), undefined),
  });
  relay.addEventSource(
    new DynamoEventSource(input.table, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: 100,
      bisectBatchOnError: true,
      retryAttempts: OUTBOX_RETRY_ATTEMPTS,
      reportBatchItemFailures: true,
      // Not SqsDlq: its grant is sqs:SendMessage plus every KMS data-key action on a customer managed key, where
      // sending needs only GenerateDataKey and Decrypt (granted below).
      onFailure: { bind: () => ({ destination: failedRecords.queueArn }) },
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual('INSERT'),
          dynamodb: {
            Keys: { [JOB_TABLE_SCHEMA.partitionKey]: { S: FilterRule.beginsWith(OUTBOX_KEY_PREFIX) } },
          },
        }),
      ],
    }),
  );
  grantRelay(input, relay, failedRecords);
  acknowledgeRelayFindings(relay);
  return { relay, failedRecords, alarms: relayAlarms(scope, relay, failedRecords, input.alarms) };
}

/**
 * What the relay does: send (and schedule) like a producer, write a poison entry's dead letter, and read and
 * delete outbox entries only (the stream read is the event source's own grant).
 */
function grantRelay(input: OutboxRelayInput, relay: NodejsFunction, failedRecords: IQueue): void {
  // With the queues' key, grantSend already grants what sending to any of these needs on it.
  grantSend(input.targets, relay);
  Grant.addToPrincipal({
    grantee: relay,
    actions: ['sqs:SendMessage'],
    resourceArns: [...input.deadLetterQueues.map((q) => q.queueArn), failedRecords.queueArn],
  });
  grantOutboxItems(input.table, relay, OUTBOX_RELAY_TABLE_ACTIONS, ['kms:Decrypt', 'kms:DescribeKey']);
}

/**
 * Access to the outbox entries of the table and nothing else of it: `dynamodb:LeadingKeys` holds the request's
 * partition key values, and IAM's StringLike matches a whole value against a pattern, so `outbox#*` admits
 * exactly the keys that start with the prefix (a job record, `job#...`, or a pause item is refused).
 */
export function grantOutboxItems(
  table: ITable,
  grantee: IGrantable,
  actions: readonly string[],
  keyActions: readonly string[] = TABLE_KEY_WRITE_ACTIONS,
): Grant {
  const grant = Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [table.tableArn],
    conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${OUTBOX_KEY_PREFIX}*`] } },
  });
  const key = table.encryptionKey?.grant(grantee, ...keyActions);
  return key ? grant.combine(key) : grant;
}

function relayAlarms(scope: Construct, relay: NodejsFunction, failed: IQueue, policy: AlarmPolicy) {
  return {
    failedRecords: outboxAlarm(scope, policy, {
      name: 'outboxFailedRecords',
      id: 'FailedRecordsAlarm',
      metric: failed.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      description:
        'The outbox relay gave up on stream records after its retries: their entries are still in the job table ' +
        '(outbox#<job id>, until their TTL) and were not sent; each message names the shard and sequence numbers',
    }),
    lag: outboxAlarm(scope, policy, {
      name: 'outboxLag',
      id: 'LagAlarm',
      metric: relay.metric('IteratorAge', { period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 300_000,
      description:
        'Committed outbox entries wait more than 5 minutes for the relay: it is failing or throttled (see its logs)',
    }),
  };
}

function acknowledgeRelayFindings(relay: NodejsFunction): void {
  Validations.of(relay).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      'the relay is invoked synchronously by its stream event source mapping, whose on-failure destination (the Outbox/FailedRecords queue) keeps what it gives up on',
  });
  if (relay.role) {
    Validations.of(relay.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'only the X-Ray statement that active tracing adds, and the stream grant of DynamoEventSource (dynamodb:ListStreams has no resource type), use "*"',
    });
  }
}

/**
 * The relay's entry in this package: the compiled file next to this one's in dist/, or the TypeScript source when
 * the construct itself runs from src/ (this repository's tests, through tsx).
 */
export function relayEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const file of ['relay-function.js', 'relay-function.ts']) {
    const path = join(here, '..', 'outbox', file);
    if (existsSync(path)) return path;
  }
  throw new ConfigError(
    `wharf-jobs/cdk: the outbox relay's entry is missing from ${join(here, '..', 'outbox')}`,
  );
}

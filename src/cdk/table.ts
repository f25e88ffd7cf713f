import type { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { JOB_TABLE_SCHEMA } from './job-table-schema.js';

type KeyName = keyof typeof JOB_TABLE_SCHEMA.attributeTypes;

/**
 * The job table, in the layout the store writes: on-demand (nothing to pay at rest but storage), records expire
 * through TTL, point-in-time recovery on because job state is what makes a run happen exactly once. `Table`
 * rather than `TableV2`: the latter synthesizes AWS::DynamoDB::GlobalTable, which emulators do not create. Not
 * `createJobTable`: that is wharf-jobs/aws's SDK call that creates the same layout in an account.
 */
export interface JobTableInput {
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
  readonly encryptionKey?: IKey;
  /** The stream the outbox relay reads (new images: an entry's INSERT carries the job). @default false */
  readonly stream?: boolean;
}

export function addJobTable(scope: Construct, input: JobTableInput): Table {
  const { partitionKey, ttlAttribute, statusIndex } = JOB_TABLE_SCHEMA;
  const table = new Table(scope, 'Table', {
    partitionKey: key(partitionKey),
    billingMode: BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: ttlAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: input.removalPolicy,
    deletionProtection: input.deletionProtection,
    ...(input.stream ? { stream: StreamViewType.NEW_IMAGE } : {}),
    ...(input.encryptionKey
      ? { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: input.encryptionKey }
      : {}),
  });
  table.addGlobalSecondaryIndex({
    indexName: statusIndex.name,
    partitionKey: key(statusIndex.partitionKey),
    sortKey: key(statusIndex.sortKey),
    projectionType: ProjectionType[statusIndex.projection],
  });
  return table;
}

function key(name: KeyName) {
  return {
    name,
    type: JOB_TABLE_SCHEMA.attributeTypes[name] === 'N' ? AttributeType.NUMBER : AttributeType.STRING,
  };
}

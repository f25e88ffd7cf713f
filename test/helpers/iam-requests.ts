/**
 * The IAM requests (action, resource ARN, context keys) that one AWS SDK call makes AWS authorize, derived from
 * the call's own input, the way AWS's Service Authorization Reference describes each API:
 * - one per call, or per table of a batch or transaction (each item of a transaction by the action it implies);
 * - SQS batches by their single action (SendMessageBatch is sqs:SendMessage);
 * - Query and Scan with IndexName on the index ARN;
 * - CreateSchedule and UpdateSchedule also pass their target's role (iam:PassRole to scheduler.amazonaws.com).
 *
 * And what a service does with the caller's credentials as a consequence of a call, which no emulator shows
 * (marked `derived:`): SQS calls KMS for a queue encrypted with a customer managed key (SendMessage needs
 * kms:GenerateDataKey and kms:Decrypt, ReceiveMessage kms:Decrypt), DynamoDB calls KMS for a table encrypted with
 * one (kms:Decrypt of the table key on any access to its items), and a message move task receives, deletes and
 * sends as the role that started it. These follow AWS's documentation, not observation.
 *
 * A call with no mapping here throws: a new SDK call in src/ must be mapped before its grant can be proven.
 */

/** One IAM authorization request. */
export interface IamRequest {
  readonly action: string;
  /** An ARN, or `*` for actions without a resource type (scheduler:ListSchedules). */
  readonly resource: string;
  /** Condition keys of the request: a string, or a multivalued key's values (`dynamodb:LeadingKeys`). */
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** The call it comes from (`SQS SendMessageBatch`), with `derived:` when a service makes it for the caller. */
  readonly from: string;
}

/** One SDK call as the client sent it. */
export interface RecordedCall {
  readonly service: Service;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export type Service = 'sqs' | 'dynamodb' | 'scheduler' | 'lambda';

/** Where the calls are made, to turn names and URLs into ARNs. */
export interface Where {
  readonly region: string;
  readonly accountId: string;
  /** The customer managed key of an encrypted queue (by queue ARN), for the KMS requests SQS makes. */
  readonly keyOfQueue?: (queueArn: string) => string | undefined;
  /** The customer managed key of an encrypted table (by table ARN), for the KMS requests DynamoDB makes. */
  readonly keyOfTable?: (tableArn: string) => string | undefined;
}

export function serviceLabel(service: Service): string {
  return { sqs: 'SQS', dynamodb: 'DynamoDB', scheduler: 'Scheduler', lambda: 'Lambda' }[service];
}

/** The IAM requests one SDK call makes. */
export function iamRequestsOf(call: RecordedCall, where: Where): IamRequest[] {
  const from = `${serviceLabel(call.service)} ${call.command}`;
  switch (call.service) {
    case 'sqs':
      return sqsRequests(call, from, where);
    case 'dynamodb':
      return dynamodbRequests(call, from, where);
    case 'scheduler':
      return schedulerRequests(call, from, where);
    case 'lambda':
      return lambdaRequests(call, from, where);
  }
}

/**
 * Lambda's event source mapping calls (pausing a queue): ListEventSourceMappings has no resource type (the
 * service authorization reference lists none), UpdateEventSourceMapping is authorized on the mapping's ARN.
 */
function lambdaRequests(call: RecordedCall, from: string, where: Where): IamRequest[] {
  switch (call.command) {
    case 'ListEventSourceMappings':
      return [{ action: 'lambda:ListEventSourceMappings', resource: '*', from }];
    case 'UpdateEventSourceMapping': {
      const uuid = String(call.input.UUID);
      const resource = `arn:aws:lambda:${where.region}:${where.accountId}:event-source-mapping:${uuid}`;
      return [{ action: 'lambda:UpdateEventSourceMapping', resource, from }];
    }
  }
  throw new Error(`iam-requests: no IAM mapping for Lambda ${call.command}`);
}

/** SQS authorizes a batch by its single action: SendMessageBatch is sqs:SendMessage, and so on. */
const SQS_ACTIONS: Readonly<Record<string, string>> = {
  SendMessage: 'sqs:SendMessage',
  SendMessageBatch: 'sqs:SendMessage',
  ReceiveMessage: 'sqs:ReceiveMessage',
  DeleteMessage: 'sqs:DeleteMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibility: 'sqs:ChangeMessageVisibility',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
  GetQueueAttributes: 'sqs:GetQueueAttributes',
  PurgeQueue: 'sqs:PurgeQueue',
};

function sqsRequests(call: RecordedCall, from: string, where: Where): IamRequest[] {
  const { command, input } = call;
  const action = SQS_ACTIONS[command];
  if (action) return [{ action, resource: queueArnOfUrl(stringField(input, 'QueueUrl', from), where), from }];
  if (command === 'ListMessageMoveTasks')
    return [{ action: 'sqs:ListMessageMoveTasks', resource: stringField(input, 'SourceArn', from), from }];
  if (command === 'StartMessageMoveTask') {
    // SQS moves the messages with the starter's permissions: it reads and deletes on the source and sends to
    // the destination (src always names the destination; SQS would otherwise pick the original source queue).
    const source = stringField(input, 'SourceArn', from);
    const destination = stringField(input, 'DestinationArn', from);
    const derived = `derived: ${from} moves as the caller`;
    return [
      { action: 'sqs:StartMessageMoveTask', resource: source, from },
      ...['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((a) => ({
        action: a,
        resource: source,
        from: derived,
      })),
      { action: 'sqs:SendMessage', resource: destination, from: derived },
    ];
  }
  throw new Error(`aws-action-recorder: no IAM mapping for ${from}`);
}

/** Single-table calls whose IAM action is the call's name; Query and Scan may name an index. */
const DYNAMODB_SINGLE = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'DescribeTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'CreateTable',
]);
const TRANSACT_WRITE_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

function dynamodbRequests(call: RecordedCall, from: string, where: Where): IamRequest[] {
  const { command, input } = call;
  if (DYNAMODB_SINGLE.has(command)) {
    const table = tableArn(stringField(input, 'TableName', from), where);
    const index = typeof input.IndexName === 'string' ? `${table}/index/${input.IndexName}` : table;
    return [{ action: `dynamodb:${command}`, resource: index, from, ...leadingKeys(input) }];
  }
  if (command === 'BatchGetItem' || command === 'BatchWriteItem') {
    const tables = Object.keys((input.RequestItems ?? {}) as object);
    return tables.map((t) => ({ action: `dynamodb:${command}`, resource: tableArn(t, where), from }));
  }
  if (command === 'TransactWriteItems' || command === 'TransactGetItems') {
    // A transaction is authorized item by item, by the action each item implies, on that item's table.
    const items = (input.TransactItems ?? []) as Record<string, { TableName?: string }>[];
    return items.flatMap((item) =>
      Object.entries(item).map(([kind, operation]) => ({
        action: kind === 'Get' ? 'dynamodb:GetItem' : (TRANSACT_WRITE_ACTIONS[kind] ?? `dynamodb:${kind}`),
        resource: tableArn(stringField(operation, 'TableName', from), where),
        from,
        ...leadingKeys(operation as Record<string, unknown>),
      })),
    );
  }
  throw new Error(`aws-action-recorder: no IAM mapping for ${from}`);
}

/**
 * `dynamodb:LeadingKeys` of a single-item request: the partition key value of its Key (or of the Item a put
 * writes). Without it a `ForAllValues` condition on the key would hold vacuously, and the simulation would allow
 * what AWS refuses.
 */
function leadingKeys(input: Record<string, unknown>): { context?: Record<string, string[]> } {
  const item = (input.Key ?? input.Item) as Record<string, { S?: unknown }> | undefined;
  const pk = item?.pk?.S;
  return typeof pk === 'string' ? { context: { 'dynamodb:LeadingKeys': [pk] } } : {};
}

function schedulerRequests(call: RecordedCall, from: string, where: Where): IamRequest[] {
  const { command, input } = call;
  const arn = (resource: string) => `arn:aws:scheduler:${where.region}:${where.accountId}:${resource}`;
  const group = typeof input.GroupName === 'string' ? input.GroupName : 'default';
  switch (command) {
    case 'CreateSchedule':
    case 'UpdateSchedule': {
      // Creating or updating a schedule passes its target's role to Scheduler.
      const target = (input.Target ?? {}) as Record<string, unknown>;
      return [
        { action: `scheduler:${command}`, resource: arn(`schedule/${group}/${input.Name}`), from },
        {
          action: 'iam:PassRole',
          resource: stringField(target, 'RoleArn', from),
          context: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
          from,
        },
      ];
    }
    case 'GetSchedule':
    case 'DeleteSchedule':
      return [{ action: `scheduler:${command}`, resource: arn(`schedule/${group}/${input.Name}`), from }];
    case 'ListSchedules':
      // No resource type: it can only be granted, and is only evaluated, on "*".
      return [{ action: 'scheduler:ListSchedules', resource: '*', from }];
    case 'GetScheduleGroup':
      return [{ action: 'scheduler:GetScheduleGroup', resource: arn(`schedule-group/${input.Name}`), from }];
  }
  throw new Error(`aws-action-recorder: no IAM mapping for ${from}`);
}

/** What Scheduler does with a schedule's role: send to its target and, when a delivery keeps failing, its DLQ. */
export function deliveryRequests(target: {
  readonly Arn?: unknown;
  readonly DeadLetterConfig?: { readonly Arn?: unknown };
}): IamRequest[] {
  const from = 'derived: Scheduler delivers the schedule with its role';
  const arns = [target.Arn, target.DeadLetterConfig?.Arn].filter((a): a is string => typeof a === 'string');
  return arns.map((resource) => ({ action: 'sqs:SendMessage', resource, from }));
}

/** The KMS requests a service makes with the caller's credentials as a consequence of a request. */
export function kmsRequestsOf(request: IamRequest, where: Where): IamRequest[] {
  if (request.action.startsWith('sqs:')) return sqsKmsRequests(request, where);
  if (request.action.startsWith('dynamodb:')) return dynamodbKmsRequests(request, where);
  return [];
}

/** The KMS requests SQS makes as the caller on a queue encrypted with a customer managed key. */
function sqsKmsRequests(request: IamRequest, where: Where): IamRequest[] {
  const key = where.keyOfQueue?.(request.resource);
  if (!key) return [];
  const from = `derived: SQS uses the queue's key for ${request.action}`;
  const actions =
    request.action === 'sqs:SendMessage'
      ? ['kms:GenerateDataKey', 'kms:Decrypt']
      : request.action === 'sqs:ReceiveMessage'
        ? ['kms:Decrypt']
        : [];
  return actions.map((action) => ({ action, resource: key, from }));
}

/** The requests that access a table's items (reads, writes, condition checks), on the table or an index of it. */
const DYNAMODB_ITEM_ACTIONS = new Set(
  [
    'GetItem',
    'BatchGetItem',
    'Query',
    'Scan',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'BatchWriteItem',
    'ConditionCheckItem',
  ].map((a) => `dynamodb:${a}`),
);

/**
 * The KMS requests DynamoDB makes as the caller on a table encrypted with a customer managed key, as AWS's
 * "How Amazon DynamoDB uses AWS KMS" describes them (its "Table key caching" and "Monitoring DynamoDB interaction
 * with AWS KMS": https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html). When a principal
 * accesses the table, DynamoDB sends kms:Decrypt of the table key with that principal as the user (invoked by
 * dynamodb.amazonaws.com); it caches the plaintext table key per connection and asks again after five minutes
 * unused, so any read or write of items may be the one that asks. Indexes are encrypted with the table's key.
 * The page's other calls are not the caller's: GenerateDataKey (the table key) comes from DynamoDB's service
 * account when the table is created, CreateGrant from the principal that created the table, DescribeKey when a key
 * is chosen for the table (CloudFormation's role, at deploy). The context keys are those the page's key policies
 * condition on (kms:ViaService, kms:CallerAccount); the encryption context DynamoDB sends is left out, since the
 * simulator ignores kms:EncryptionContext keys.
 */
function dynamodbKmsRequests(request: IamRequest, where: Where): IamRequest[] {
  if (!DYNAMODB_ITEM_ACTIONS.has(request.action)) return [];
  const table = request.resource.replace(/\/index\/[^/]+$/, '');
  const key = where.keyOfTable?.(table);
  if (!key) return [];
  const region = table.split(':')[3];
  return [
    {
      action: 'kms:Decrypt',
      resource: key,
      context: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com`, 'kms:CallerAccount': where.accountId },
      from: `derived: DynamoDB uses the table's key for ${request.action}`,
    },
  ];
}

/** `https://sqs.us-east-1.amazonaws.com/123456789012/jobs` (or moto's `http://127.0.0.1:5000/...`) as an ARN. */
export function queueArnOfUrl(url: string, where: Where): string {
  const { hostname, pathname } = new URL(url);
  const [account, name] = pathname.split('/').filter(Boolean);
  if (!account || !name) throw new Error(`aws-action-recorder: not a queue URL: ${url}`);
  const region = /^sqs\.([a-z0-9-]+)\.amazonaws\.com$/.exec(hostname)?.[1] ?? where.region;
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

function tableArn(name: string, where: Where): string {
  return name.startsWith('arn:') ? name : `arn:aws:dynamodb:${where.region}:${where.accountId}:table/${name}`;
}

function stringField(input: object, field: string, from: string): string {
  const value = (input as Record<string, unknown>)[field];
  if (typeof value !== 'string') throw new Error(`aws-action-recorder: ${from} without ${field}`);
  return value;
}

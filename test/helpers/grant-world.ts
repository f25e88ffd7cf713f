import { CreateScheduleGroupCommand } from '@aws-sdk/client-scheduler';
import type { SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { JobRegistry } from '../../src/job/registry';
import { environmentFromOutputs } from '../../src/ops/stack-outputs';
import { createJobTable } from '../../src/store/dynamodb/index';
import { type Built, build, logicalId, templateOf } from '../infra/fixtures';
import { dynamoClient, motoEndpoint, schedulerClient, sqsClient, uniqueName } from './aws';
import { ActionRecorder, type RecorderOptions } from './aws-action-recorder';
import { MOTO_ACCOUNT_ID } from './deploy-stack';
import {
  type Deployment,
  type PlayedResource,
  type Principal,
  resolve,
  rolePolicies,
} from './iam-simulation';
import { createFunction, createMapping } from './lambda-consumers';
import { createQueuePair } from './queues';

const REGION = 'us-east-1';

/** A principal of the stack: a role with its synthesized policies, and a recorder for what its code calls. */
export interface RoleUnderTest extends Principal {
  readonly roleId: string;
  readonly recorder: ActionRecorder;
}

/**
 * The WharfJobs construct synthesized with one grantee per grant (a producer function given `configureProducer`,
 * an operator role given `grantOperate`, a long-running worker's role given `grantConsume`) and customer managed
 * keys, one for the queues and another for the table (`tableEncryptionKey`: apart, so that neither key's grants
 * can stand in for the other's), then played on moto: a queue pair per job queue and a job table, created here,
 * stand for the template's queues and table (moto's CloudFormation would skip the schedule group and deploy
 * slowly), and the roles and keys, which moto does not enforce, get ARNs of their own. Intrinsics resolve to these
 * resources. moto's table is not encrypted: the KMS requests DynamoDB makes are derived from the template's key.
 */
export interface GrantWorld {
  readonly built: Built;
  readonly deployment: Deployment;
  readonly workers: Readonly<Record<string, RoleUnderTest>>;
  readonly producer: RoleUnderTest;
  readonly consumer: RoleUnderTest;
  readonly operator: RoleUnderTest;
  readonly scheduler: RoleUnderTest;
  /** The environment the construct gives a worker function of this queue, resolved, plus the moto endpoint. */
  workerEnv(queue: string): NodeJS.ProcessEnv;
  /** The producer function's environment (configureProducer), resolved. */
  producerEnv(): NodeJS.ProcessEnv;
  /** What `wharf env --stack` makes of the stack outputs: how the operator and a container worker are set up. */
  outputsEnv(): NodeJS.ProcessEnv;
  /** The customer managed key the queues are encrypted with. */
  readonly keyArn: string;
  /** The customer managed key the job table is encrypted with. */
  readonly tableKeyArn: string;
  /** The schedule group's name as deployed (it ends with a piece of the stack id). */
  readonly scheduleGroupName: string;
  /** The moto resource playing a logical resource. */
  played(construct: Parameters<typeof logicalId>[1]): PlayedResource;
  /** How every role's recorder maps calls to requests (region, account, queue keys, moto's stand-ins). */
  readonly recorderOptions: RecorderOptions;
}

export async function createGrantWorld(registry: JobRegistry): Promise<GrantWorld> {
  const grantees = {} as {
    producer: LambdaFunction;
    operator: Role;
    consumer: Role;
    key: Key;
    tableKey: Key;
  };
  const built = build({ registry }, (stack) => {
    grantees.key = new Key(stack, 'Key', { enableKeyRotation: true });
    grantees.tableKey = new Key(stack, 'TableKey', { enableKeyRotation: true });
    grantees.producer = new LambdaFunction(stack, 'Api', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('0'),
    });
    const assumedBy = new ServicePrincipal('ecs-tasks.amazonaws.com');
    grantees.operator = new Role(stack, 'Operator', { assumedBy });
    grantees.consumer = new Role(stack, 'Consumer', { assumedBy });
    return { encryptionKey: grantees.key, tableEncryptionKey: grantees.tableKey };
  });
  const { jobs } = built;
  jobs.configureProducer(grantees.producer);
  jobs.grantOperate(grantees.operator);
  jobs.grantConsume(grantees.consumer);
  const template = templateOf(built).toJSON() as Deployment['template'];
  const id = (construct: Parameters<typeof logicalId>[1]) => logicalId(built, construct);

  const played: Record<string, PlayedResource> = {};
  const sqs = sqsClient();
  for (const queue of registry.queues) {
    const pair = await createQueuePair(sqs, { prefix: `wharf-iam-${queue}` });
    played[id(jobs.queues[queue]!)] = { Ref: pair.url, Arn: pair.arn };
    played[id(jobs.deadLetterQueues[queue]!)] = { Ref: pair.deadLetterUrl, Arn: pair.deadLetterArn };
  }
  sqs.destroy();
  const tableName = uniqueName('wharf-iam');
  const dynamodb = dynamoClient();
  await createJobTable(dynamodb, tableName);
  dynamodb.destroy();
  played[id(jobs.table as never)] = {
    Ref: tableName,
    Arn: `arn:aws:dynamodb:${REGION}:${MOTO_ACCOUNT_ID}:table/${tableName}`,
  };
  for (const key of [grantees.key, grantees.tableKey]) {
    const keyId = crypto.randomUUID();
    played[id(key)] = { Ref: keyId, Arn: `arn:aws:kms:${REGION}:${MOTO_ACCOUNT_ID}:key/${keyId}` };
  }
  // Each worker's event source mapping, on moto: a function of its own (moto runs no code) consuming the played
  // queue, disabled at once (moto would try to run it on every send), so that the operator's pause finds it and
  // its UUID is the one the template's mapping ARN resolves to.
  for (const [queue, fn] of Object.entries(jobs.workers)) {
    const mapping = fn.node.findAll().find((c) => c.node.id.startsWith('SqsEventSource'))!;
    const moto = await createFunction(`wharf-iam-${queue}`);
    const uuid = await createMapping(played[id(jobs.queues[queue]!)]!.Arn!, moto.name, { enabled: false });
    played[id(mapping)] = {
      Ref: uuid,
      EventSourceMappingArn: `arn:aws:lambda:${REGION}:${MOTO_ACCOUNT_ID}:event-source-mapping:${uuid}`,
    };
  }
  // Each role's ARN names it by its logical id (CloudFormation's names add the stack and a suffix: no matter here).
  for (const [roleId, r] of Object.entries(template.Resources))
    if (r.Type === 'AWS::IAM::Role')
      played[roleId] = { Ref: roleId, Arn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/${roleId}` };
  const stackId = `arn:aws:cloudformation:${REGION}:${MOTO_ACCOUNT_ID}:stack/Test/${crypto.randomUUID()}`;
  const deployment: Deployment = { template, region: REGION, accountId: MOTO_ACCOUNT_ID, played, stackId };
  // The group's name ends with a piece of the stack's id: resolved as CloudFormation would.
  const scheduleGroupName = String(resolve(built.stack.resolve(jobs.scheduleGroupName), deployment));
  await createScheduleGroup(scheduleGroupName);

  const keyOfQueue = customerManagedKeys(deployment, 'AWS::SQS::Queue', (p) => p.KmsMasterKeyId);
  const keyOfTable = customerManagedKeys(
    deployment,
    'AWS::DynamoDB::Table',
    (p) => (p.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId,
  );
  const recorderOptions: RecorderOptions = {
    region: REGION,
    accountId: MOTO_ACCOUNT_ID,
    keyOfQueue: (arn) => keyOfQueue.get(arn),
    keyOfTable: (arn) => keyOfTable.get(arn),
    standIns: MOTO_STAND_INS,
  };
  const role = (label: string, roleId: string): RoleUnderTest => {
    const policies: SimulationIdentityPolicy[] = rolePolicies(deployment, roleId);
    const recorder = new ActionRecorder(label, recorderOptions);
    return { label: `${label} (${roleId})`, roleId, arn: played[roleId]!.Arn!, policies, recorder };
  };
  const workers = Object.fromEntries(
    Object.entries(jobs.workers).map(([queue, fn]) => [
      queue,
      role(`worker of ${queue}`, id(fn.role as Role)),
    ]),
  );
  const withEndpoint = (variables: Record<string, string>): NodeJS.ProcessEnv => ({
    ...variables,
    AWS_ENDPOINT_URL: motoEndpoint(),
    AWS_REGION: REGION,
  });
  const environmentOf = (fn: { node: { defaultChild?: unknown } }) =>
    resolve(
      (template.Resources[id(fn)]!.Properties as { Environment: { Variables: unknown } }).Environment
        .Variables,
      deployment,
    ) as Record<string, string>;
  return {
    built,
    scheduleGroupName,
    deployment,
    workers,
    producer: role('producer', id(grantees.producer.role as Role)),
    consumer: role('consumer', id(grantees.consumer)),
    operator: role('operator', id(grantees.operator)),
    scheduler: role('Scheduler', id(jobs.schedulerRole as Role)),
    workerEnv: (queue) => withEndpoint(environmentOf(jobs.workers[queue]!)),
    producerEnv: () => withEndpoint(environmentOf(grantees.producer)),
    outputsEnv: () => {
      const outputs = Object.entries(template.Outputs ?? {}).map(([key, o]) => ({
        OutputKey: key,
        OutputValue: String(resolve(o.Value, deployment)),
        ...(o.Description ? { Description: o.Description } : {}),
      }));
      return withEndpoint(environmentFromOutputs(outputs));
    },
    keyArn: played[id(grantees.key)]!.Arn!,
    tableKeyArn: played[id(grantees.tableKey)]!.Arn!,
    played: (construct) => played[id(construct)]!,
    recorderOptions,
  };
}

/**
 * moto has no message move tasks. SQS's answers for a dead-letter queue with no task running, given after the
 * call is recorded, let ops take the move-task path (retry of every dead letter) as it does on AWS.
 */
const MOTO_STAND_INS: RecorderOptions['standIns'] = {
  'SQS ListMessageMoveTasks': () => ({ Results: [] }),
  'SQS StartMessageMoveTask': () => ({ TaskHandle: 'moto-stand-in' }),
};

/**
 * The ARN of each resource of a type to the ARN of the key it is encrypted with, from the template's property
 * (a queue's KmsMasterKeyId, a table's SSESpecification.KMSMasterKeyId).
 */
function customerManagedKeys(
  d: Deployment,
  type: string,
  keyOf: (properties: Readonly<Record<string, unknown>>) => unknown,
): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [resourceId, r] of Object.entries(d.template.Resources)) {
    if (r.Type !== type) continue;
    const key = keyOf((r.Properties ?? {}) as Record<string, unknown>);
    if (key === undefined) continue;
    keys.set(String(resolve({ 'Fn::GetAtt': [resourceId, 'Arn'] }, d)), String(resolve(key, d)));
  }
  return keys;
}

/** The construct's group name is fixed at synth; test stacks share it, so it may exist already. */
async function createScheduleGroup(name: string): Promise<void> {
  const scheduler = schedulerClient();
  try {
    await scheduler.send(new CreateScheduleGroupCommand({ Name: name }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'ConflictException') throw error;
  } finally {
    scheduler.destroy();
  }
}

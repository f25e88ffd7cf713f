import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { defineRecurring } from '../../src/schedule/define-recurring';
import { type Built, build, FIXTURE_WORKER, logicalId, templateOf } from './fixtures';

/**
 * S38 (reliability-anchors §7): KMS completeness with a customer managed key (WharfJobsProps.encryptionKey). With
 * SSE-KMS on a queue, a principal that sends needs kms:GenerateDataKey and kms:Decrypt on the key, and one that
 * receives needs kms:Decrypt; a missing grant shows in production as "nothing is ever sent" or "everything drains
 * to the DLQ". moto enforces neither KMS nor IAM, so no run-time test on the emulator can prove these grants: this
 * is a synth test over the template. It finds every role that sends to or receives from a job queue or dead-letter
 * queue, whatever granted it, and checks its permissions on the key; and it checks that every role wharf's paths
 * send or receive with is among them (the producer, the Scheduler role, the Lambda workers' retries and dead
 * letters, a long-running worker, the operator's redrive), so the check is not vacuous.
 */

type Json = unknown;
interface Statement {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: Json;
}
interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, Json>;
}

const SEND = 'sqs:SendMessage';
const RECEIVE = 'sqs:ReceiveMessage';
const KMS_FOR_SENDING = ['kms:GenerateDataKey', 'kms:Decrypt'];
const KMS_FOR_RECEIVING = ['kms:Decrypt'];

/** Whether an IAM action pattern (`kms:GenerateDataKey*`, `kms:*`) allows `action`; IAM matches case-insensitively. */
function allows(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join('.*')}$`, 'i');
  return regex.test(action);
}
const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
const listOf = <T>(value: T | readonly T[]): readonly T[] => (Array.isArray(value) ? value : [value as T]);
const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

interface World {
  readonly built: Built;
  readonly resources: Record<string, Resource>;
  readonly keyId: string;
  readonly queueIds: readonly string[];
  readonly roles: Readonly<Record<string, string>>;
}

function synth(): World {
  const cleanup = defineJob({ name: 'cleanup', schema: z.object({}), perform: () => undefined });
  const welcome = defineJob({
    name: 'sendWelcome',
    queue: 'emails',
    schema: z.object({}),
    perform: () => undefined,
  });
  const nightly = defineRecurring({ task: 'nightly', job: cleanup, schedule: 'every day at 2am' });
  const registry = createRegistry([cleanup, welcome], { recurring: [nightly] });
  let key: Key | undefined;
  let api: LambdaFunction | undefined;
  let processWorker: Role | undefined;
  let operator: Role | undefined;
  const built = build({ registry, workerEntry: FIXTURE_WORKER }, (stack) => {
    key = new Key(stack, 'QueueKey', { enableKeyRotation: true });
    api = new LambdaFunction(stack, 'Api', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('0'),
    });
    processWorker = new Role(stack, 'ProcessWorker', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    operator = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
    return { encryptionKey: key };
  });
  const { jobs } = built;
  jobs.configureProducer(api!);
  jobs.grantConsume(processWorker!);
  jobs.grantOperate(operator!);
  const id = (construct: { node: { defaultChild?: unknown } }) => logicalId(built, construct);
  const queues = [...Object.values(jobs.queues), ...Object.values(jobs.deadLetterQueues)];
  return {
    built,
    resources: templateOf(built).toJSON().Resources as Record<string, Resource>,
    keyId: id(key!),
    queueIds: queues.map(id),
    roles: {
      'producer (configureProducer)': id(api!.role as Role),
      'Scheduler role': id(jobs.schedulerRole as Role),
      'Lambda worker of default': id(jobs.workers.default!.role as Role),
      'Lambda worker of emails': id(jobs.workers.emails!.role as Role),
      'long-running worker (grantConsume)': id(processWorker!),
      'operator (grantOperate)': id(operator!),
    },
  };
}

/** Allow statements of every policy attached to the role. */
function statementsOf(w: World, roleId: string): Statement[] {
  return Object.values(w.resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => listOf(r.Properties.Roles as Json).some((role) => same(role, { Ref: roleId })))
    .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
    .filter((s) => s.Effect === 'Allow');
}

/** Whether the role may do `action` on the resource (by its ARN expression, or on "*"). */
function may(w: World, roleId: string, action: string, resourceArn: Json): boolean {
  return statementsOf(w, roleId).some(
    (s) =>
      listOf(s.Action).some((pattern) => allows(pattern, action)) &&
      listOf(s.Resource).some((r) => r === '*' || same(r, resourceArn)),
  );
}

/** Roles that may do `action` on at least one job queue or dead-letter queue. */
function rolesThat(w: World, action: string): string[] {
  return Object.entries(w.resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Role')
    .map(([roleId]) => roleId)
    .filter((roleId) => w.queueIds.some((queueId) => may(w, roleId, action, arnOf(queueId))));
}

const missingOnKey = (w: World, roleId: string, actions: readonly string[]) =>
  actions.filter((action) => !may(w, roleId, action, arnOf(w.keyId)));

describe('S38 KMS completeness with a customer managed key (synth: moto enforces neither KMS nor IAM)', () => {
  let w: World;
  beforeAll(() => {
    w = synth();
  });

  it('encrypts every job queue and dead-letter queue with the customer managed key, never an AWS managed one', () => {
    expect(w.queueIds).toHaveLength(4);
    for (const queueId of w.queueIds) {
      const properties = w.resources[queueId]!.Properties;
      expect(properties.KmsMasterKeyId, queueId).toEqual(arnOf(w.keyId));
      expect(properties.SqsManagedSseEnabled, queueId).toBeUndefined();
    }
  });

  it('counts every path that sends among the roles that send: producer, Scheduler, workers, long-running worker, operator', () => {
    const senders = rolesThat(w, SEND);
    for (const [path, roleId] of Object.entries(w.roles)) expect(senders, path).toContain(roleId);
  });

  it('counts every path that receives among the roles that receive: the workers, the long-running worker, the operator', () => {
    const receivers = rolesThat(w, RECEIVE);
    const expected = [
      'Lambda worker of default',
      'Lambda worker of emails',
      'long-running worker (grantConsume)',
      'operator (grantOperate)',
    ];
    for (const path of expected) expect(receivers, path).toContain(w.roles[path]);
  });

  it('gives every role that sends to a job queue or dead-letter queue kms:GenerateDataKey and kms:Decrypt on the key', () => {
    const missing = Object.fromEntries(
      rolesThat(w, SEND)
        .map((roleId) => [roleId, missingOnKey(w, roleId, KMS_FOR_SENDING)] as const)
        .filter(([, actions]) => actions.length > 0),
    );
    expect(missing).toEqual({});
  });

  it('gives every role that receives from a job queue or dead-letter queue kms:Decrypt on the key', () => {
    const missing = Object.fromEntries(
      rolesThat(w, RECEIVE)
        .map((roleId) => [roleId, missingOnKey(w, roleId, KMS_FOR_RECEIVING)] as const)
        .filter(([, actions]) => actions.length > 0),
    );
    expect(missing).toEqual({});
  });

  it('lets the account grant the key through IAM (the key policy trusts the account root), so those grants take effect', () => {
    const policy = w.resources[w.keyId]!.Properties.KeyPolicy as {
      Statement: (Statement & { Principal: Json })[];
    };
    const root = policy.Statement.find((s) => JSON.stringify(s.Principal).includes(':root'));
    expect(root).toMatchObject({ Effect: 'Allow', Resource: '*' });
    expect(listOf(root!.Action)).toContain('kms:*');
  });

  it('sends every schedule, recurring or one-time, with the Scheduler role that holds the key grant', () => {
    const schedulerRole = arnOf(w.roles['Scheduler role']!);
    const schedules = Object.values(w.resources).filter((r) => r.Type === 'AWS::Scheduler::Schedule');
    expect(schedules).toHaveLength(1);
    for (const schedule of schedules) {
      expect((schedule.Properties.Target as { RoleArn: Json }).RoleArn).toEqual(schedulerRole);
    }
    // One-time schedules are created at run time with the role the workers and producers are told to pass.
    const producer = Object.values(w.resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        same(r.Properties.Role, arnOf(w.roles['producer (configureProducer)']!)),
    );
    expect(producer).toBeDefined();
    const variables = (producer!.Properties.Environment as { Variables: Record<string, Json> }).Variables;
    expect(variables.WHARF_SCHEDULER_ROLE_ARN).toEqual(schedulerRole);
  });
});

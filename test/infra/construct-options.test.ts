import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Code, LayerVersion, Runtime } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { WharfJobs } from 'wharf-jobs/cdk';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { defineRecurring } from '../../src/schedule/define-recurring';
import { lintedTemplate } from '../helpers/templates-to-lint';
import { type Built, build, FIXTURE_WORKER, logicalId, templateOf, twoQueues } from './fixtures';

const workerProps = (b: Built, queue: string) =>
  templateOf(b).toJSON().Resources[logicalId(b, b.jobs.workers[queue]!)].Properties;

describe('per-queue worker options', () => {
  it('set architecture, memory, layers, extra environment and log retention on one queue only', () => {
    let layer: LayerVersion | undefined;
    const built = build({}, (stack) => {
      layer = new LayerVersion(stack, 'Layer', {
        code: Code.fromAsset(import.meta.dirname),
        compatibleRuntimes: [Runtime.NODEJS_24_X],
      });
      return {
        queues: {
          emails: {
            workerArchitecture: Architecture.X86_64,
            workerMemorySize: 512,
            layers: [layer],
            environment: { SMTP_HOST: 'smtp.example.com', WHARF_TABLE_NAME: 'not-this-one' },
            logRetention: RetentionDays.ONE_YEAR,
          },
        },
      };
    });
    const emails = workerProps(built, 'emails');
    expect(emails).toMatchObject({
      Architectures: ['x86_64'],
      MemorySize: 512,
      Layers: [{ Ref: logicalId(built, layer!) }],
    });
    expect(emails.Environment.Variables.SMTP_HOST).toBe('smtp.example.com');
    // A user's variable cannot point the worker at another table or queue.
    expect(emails.Environment.Variables.WHARF_TABLE_NAME).toEqual({
      Ref: logicalId(built, built.jobs.table as never),
    });
    expect(workerProps(built, 'default')).toMatchObject({ Architectures: ['arm64'], MemorySize: 1024 });
    expect(workerProps(built, 'default').Layers).toBeUndefined();
    const retention = Object.values(templateOf(built).findResources('AWS::Logs::LogGroup')).map(
      (g) => g.Properties.RetentionInDays,
    );
    expect(retention.sort()).toEqual([30, 365]);
  });

  it('put a worker in a VPC with its security groups and the managed policy Lambda needs there', () => {
    const built = build({}, (stack) => {
      const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      const securityGroup = new SecurityGroup(stack, 'WorkerSg', { vpc });
      return { queues: { default: { vpc, securityGroups: [securityGroup] } } };
    });
    const props = workerProps(built, 'default');
    expect(props.VpcConfig.SecurityGroupIds).toHaveLength(1);
    expect(props.VpcConfig.SubnetIds).toHaveLength(2);
    expect(workerProps(built, 'emails').VpcConfig).toBeUndefined();
    templateOf(built).hasResourceProperties('AWS::IAM::Role', {
      Description: 'wharf worker of queue default',
      ManagedPolicyArns: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
            ],
          ],
        },
      ],
    });
    // The managed policy is acknowledged on the worker role, with its reason; nothing else is left.
    const findings = new AwsSolutionsChecks()
      .validateScope(built.app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))
      .filter((f) => f.includes('Test/Jobs/'));
    expect(findings).toEqual([]);
    expect(new ServerlessChecks().validateScope(built.app).violations.length).toBeGreaterThanOrEqual(0);
  });

  it('names the reserved concurrency, not a maxConcurrency nobody set, when it is below 2', () => {
    expect(() => build({ queues: { default: { reservedConcurrency: 1 } } })).toThrow(
      /queue "default": reservedConcurrency 1 is below 2, the least an SQS event source's maximum concurrency can be/,
    );
    expect(() => build({ queues: { default: { reservedConcurrency: 1 } } })).not.toThrow(
      /maxConcurrency 1 is outside/,
    );
  });
});

describe('bringing your own resources', () => {
  it('uses existing queues for one queue, grants on them, and warns that their settings are the user’s to check', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Test');
    // Queues made elsewhere (another team's stack, or by hand), known by their ARNs.
    const queue = Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:123456789012:shared-emails');
    const deadLetterQueue = Queue.fromQueueArn(
      stack,
      'D',
      'arn:aws:sqs:us-east-1:123456789012:shared-emails-dlq',
    );
    const jobs = new WharfJobs(stack, 'Jobs', {
      registry: twoQueues(),
      workerEntry: FIXTURE_WORKER,
      queues: { emails: { existingQueues: { queue, deadLetterQueue } } },
    });
    const template = lintedTemplate(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    expect(jobs.queues.emails).toBe(queue);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:shared-emails',
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sqs:SendMessage',
            Resource: 'arn:aws:sqs:us-east-1:123456789012:shared-emails-dlq',
          }),
        ]),
      },
    });
    Annotations.fromStack(stack).hasWarning(
      '/Test/Jobs',
      Match.stringLikeRegexp('queues emails exist already, so their settings cannot be checked at synth'),
    );
  });

  it('refuses existing queues whose kind (FIFO or standard) differs from the queue’s setting', () => {
    expect(() =>
      build({}, (stack) => ({
        queues: {
          emails: {
            existingQueues: {
              queue: Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:123456789012:emails.fifo'),
              deadLetterQueue: Queue.fromQueueArn(
                stack,
                'D',
                'arn:aws:sqs:us-east-1:123456789012:emails-dlq',
              ),
            },
          },
        },
      })),
    ).toThrow(
      /queues\.emails\.existingQueues\.queue: it is a FIFO queue, but the queue is configured with fifo: false/,
    );
  });

  it('encrypts the table and the log groups with the keys given, and lets CloudWatch Logs use the log key', () => {
    let tableKey: Key | undefined;
    let logKey: Key | undefined;
    const built = build({}, (stack) => {
      tableKey = new Key(stack, 'TableKey', { enableKeyRotation: true });
      logKey = new Key(stack, 'LogKey', { enableKeyRotation: true });
      return { tableEncryptionKey: tableKey, logEncryptionKey: logKey };
    });
    const template = templateOf(built);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(built, tableKey!), 'Arn'] },
      },
    });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(built, logKey!), 'Arn'] });
    }
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowCloudWatchLogsForWharfWorkers',
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          }),
        ]),
      },
    });
  });
});

describe('environments side by side', () => {
  it('deploys staging and production of one app in one account: own names, own recurring tasks', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const report = defineJob({ name: 'report', schema: z.object({}), perform: () => undefined });
    const registry = createRegistry([report], {
      recurring: [
        defineRecurring({ task: 'nightly', job: report, schedule: 'every day at 2am' }),
        defineRecurring({
          task: 'prod-only',
          job: report,
          schedule: 'every day at 3am',
          environments: ['production'],
        }),
      ],
    });
    const built = ['staging', 'production'].map((environmentName) => {
      const stack = new Stack(app, `Orders-${environmentName}`);
      const jobs = new WharfJobs(stack, 'Jobs', { registry, workerEntry: FIXTURE_WORKER, environmentName });
      return { stack, jobs };
    });
    // Both stacks exist before the first synth, as in one app.
    const deployed = built.map((b) => ({ ...b, template: lintedTemplate(b.stack) }));
    const [staging, production] = deployed;
    const groupOf = (d: (typeof deployed)[number]) =>
      JSON.stringify(d.stack.resolve(d.jobs.scheduleGroupName));
    expect(groupOf(staging!)).toContain('-staging-');
    expect(groupOf(production!)).toContain('-production-');
    expect(groupOf(staging!)).not.toEqual(groupOf(production!));
    expect(Object.keys(staging!.jobs.recurringSchedules)).toEqual(['nightly']);
    expect(Object.keys(production!.jobs.recurringSchedules).sort()).toEqual(['nightly', 'prod-only']);
    // Everything else is named by CloudFormation from the stack's name: no fixed name to collide.
    for (const d of deployed) {
      for (const type of [
        'AWS::SQS::Queue',
        'AWS::DynamoDB::Table',
        'AWS::Lambda::Function',
        'AWS::IAM::Role',
      ]) {
        for (const r of Object.values(d.template.findResources(type))) {
          expect(
            r.Properties.QueueName ??
              r.Properties.TableName ??
              r.Properties.FunctionName ??
              r.Properties.RoleName,
          ).toBeUndefined();
        }
      }
    }
  });
});

describe('a table with a customer managed key', () => {
  it('gives workers, consumers and operators what DynamoDB needs of them on the key', () => {
    let tableKey: Key | undefined;
    let operator: Role | undefined;
    const built = build({}, (stack) => {
      tableKey = new Key(stack, 'TableKey', { enableKeyRotation: true });
      operator = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com') });
      return { tableEncryptionKey: tableKey };
    });
    built.jobs.grantOperate(operator!);
    const keyArn = { 'Fn::GetAtt': [logicalId(built, tableKey!), 'Arn'] };
    const statementsOf = (roleId: string) =>
      Object.values(templateOf(built).findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]);
    const worker = logicalId(built, built.jobs.workers.default!.role as Role);
    expect(statementsOf(worker)).toContainEqual(
      expect.objectContaining({
        Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        Resource: keyArn,
      }),
    );
    expect(statementsOf(logicalId(built, operator!))).toContainEqual(
      expect.objectContaining({ Action: ['kms:Decrypt', 'kms:DescribeKey'], Resource: keyArn }),
    );
  });
});

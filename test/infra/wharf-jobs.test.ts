import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import {
  build,
  defaultBuilt,
  logicalId,
  registryOf,
  scheduleGroupArnOf,
  templateOf,
  twoQueuesFifoEmails,
} from './fixtures';

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

describe('WharfJobs queues', () => {
  it('creates one queue and one dead-letter queue per queue of the registry, under readable construct ids', () => {
    const built = defaultBuilt();
    expect(Object.keys(built.jobs.queues)).toEqual(['default', 'emails']);
    expect(built.jobs.queues.emails!.node.path).toBe('Test/Jobs/emails/Queue');
    expect(built.jobs.deadLetterQueues.emails!.node.path).toBe('Test/Jobs/emails/DeadLetterQueue');
    templateOf(built).resourceCountIs('AWS::SQS::Queue', 4);
  });

  it('encrypts every queue with SSE-SQS and allows 1 MiB messages by default', () => {
    const queues = Object.values(templateOf(defaultBuilt()).findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(4);
    for (const queue of queues) {
      expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MaximumMessageSize: 1_048_576 });
      expect(queue.Properties.KmsMasterKeyId).toBeUndefined();
    }
  });

  it('encrypts every queue and dead-letter queue with the customer managed key when one is given', () => {
    let key: Key | undefined;
    const built = build({}, (stack) => {
      key = new Key(stack, 'Key', { enableKeyRotation: true });
      return { encryptionKey: key };
    });
    const queues = Object.values(templateOf(built).findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(4);
    for (const queue of queues)
      expect(queue.Properties.KmsMasterKeyId).toEqual(getAtt(logicalId(built, key!)));
  });

  it('denies every request without TLS on every queue and dead-letter queue', () => {
    const built = defaultBuilt();
    const policies = Object.values(templateOf(built).findResources('AWS::SQS::QueuePolicy'));
    const covered = policies.flatMap((p) => p.Properties.Queues.map((q: { Ref: string }) => q.Ref)).sort();
    const all = [...Object.values(built.jobs.queues), ...Object.values(built.jobs.deadLetterQueues)].map(
      (q) => logicalId(built, q),
    );
    expect(covered).toEqual(all.sort());
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('redrives to its own dead-letter queue after 10 receives, and keeps dead letters longer than messages', () => {
    const built = defaultBuilt();
    const template = templateOf(built);
    for (const name of ['default', 'emails']) {
      const dlqId = logicalId(built, built.jobs.deadLetterQueues[name]!);
      expect(
        template.toJSON().Resources[logicalId(built, built.jobs.queues[name]!)].Properties,
      ).toMatchObject({
        RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId), maxReceiveCount: 10 },
        MessageRetentionPeriod: 4 * 86_400,
      });
      expect(template.toJSON().Resources[dlqId].Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    }
  });

  it('derives each visibility timeout as 6 x its worker timeout + batching window', () => {
    const built = build({ queues: { emails: { maxBatchingWindow: Duration.seconds(5) } } });
    const resources = templateOf(built).toJSON().Resources;
    expect(resources[logicalId(built, built.jobs.queues.default!)].Properties.VisibilityTimeout).toBe(
      6 * (30 + 10),
    );
    expect(resources[logicalId(built, built.jobs.queues.emails!)].Properties.VisibilityTimeout).toBe(
      6 * (120 + 10) + 5,
    );
  });

  it('creates FIFO queue pairs when asked', () => {
    const built = build({ registry: twoQueuesFifoEmails(), queues: { emails: { fifo: true } } });
    const resources = templateOf(built).toJSON().Resources;
    expect(resources[logicalId(built, built.jobs.queues.emails!)].Properties.FifoQueue).toBe(true);
    expect(resources[logicalId(built, built.jobs.deadLetterQueues.emails!)].Properties.FifoQueue).toBe(true);
    expect(resources[logicalId(built, built.jobs.queues.default!)].Properties.FifoQueue).toBeUndefined();
  });
});

describe('WharfJobs workers', () => {
  it('runs one Node 24 arm64 function per queue, timed from its longest job plus a 10 s margin', () => {
    const built = defaultBuilt();
    const resources = templateOf(built).toJSON().Resources;
    expect(resources[logicalId(built, built.jobs.workers.default!)].Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 40,
      MemorySize: 1024,
      TracingConfig: { Mode: 'Active' },
    });
    expect(resources[logicalId(built, built.jobs.workers.emails!)].Properties.Timeout).toBe(130);
    expect(built.jobs.workers.default!.node.path).toBe('Test/Jobs/default/Worker');
  });

  it('gives each worker the run-time configuration of every queue and the queue it serves', () => {
    const built = defaultBuilt();
    const { jobs } = built;
    const resources = templateOf(built).toJSON().Resources;
    const ref = (c: Parameters<typeof logicalId>[1]) => ({ Ref: logicalId(built, c) });
    expect(resources[logicalId(built, jobs.workers.emails!)].Properties.Environment.Variables).toEqual({
      WHARF_TABLE_NAME: ref(jobs.table as Table),
      WHARF_SCHEDULE_GROUP: built.stack.resolve(jobs.scheduleGroupName),
      WHARF_SCHEDULER_ROLE_ARN: getAtt(logicalId(built, jobs.schedulerRole as never)),
      // No ARNs: a process reads them from the URLs, which keeps the environment within Lambda's 4 KB.
      WHARF_QUEUE_URL_DEFAULT: ref(jobs.queues.default!),
      WHARF_DLQ_URL_DEFAULT: ref(jobs.deadLetterQueues.default!),
      WHARF_QUEUE_URL_EMAILS: ref(jobs.queues.emails!),
      WHARF_DLQ_URL_EMAILS: ref(jobs.deadLetterQueues.emails!),
      WHARF_QUEUE: 'emails',
      NODE_OPTIONS: '--enable-source-maps',
      // README "CloudWatch dashboard and alarms per job type": what the job-type metrics and traces need.
      WHARF_METRICS_NAMESPACE: 'Wharf',
      POWERTOOLS_TRACE_ENABLED: 'true',
    });
  });

  it('consumes its queue with partial batch responses, batch size 10 and maximum concurrency 20', () => {
    const built = defaultBuilt();
    templateOf(built).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(logicalId(built, built.jobs.queues.default!)),
      FunctionName: { Ref: logicalId(built, built.jobs.workers.default!) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });

  it('keeps maximum concurrency within reserved concurrency when only the latter is set', () => {
    const built = build({ queues: { default: { reservedConcurrency: 5 } } });
    const template = templateOf(built);
    template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: getAtt(logicalId(built, built.jobs.queues.default!)),
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('logs to an explicit log group with a retention, so no log-retention custom resource is needed', () => {
    const built = defaultBuilt();
    const template = templateOf(built);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
    const types = Object.values(template.toJSON().Resources).map((r) => (r as { Type: string }).Type);
    expect(
      types.filter((t) => t.startsWith('Custom::') || t === 'AWS::CloudFormation::CustomResource'),
    ).toEqual([]);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(2);
  });

  it('creates no worker for a queue served by the long-running worker process', () => {
    const registry = registryOf({ name: 'quick' }, { name: 'longImport', queue: 'imports', timeout: '2h' });
    const built = build({ registry, queues: { imports: { lambdaWorker: false } } });
    expect(Object.keys(built.jobs.workers)).toEqual(['default']);
    expect(
      templateOf(built).toJSON().Resources[logicalId(built, built.jobs.queues.imports!)].Properties
        .VisibilityTimeout,
    ).toBe(300);
  });
});

describe('WharfJobs job table', () => {
  it('is on-demand with TTL, point-in-time recovery and the status index the store queries, retained by default', () => {
    const template = templateOf(defaultBuilt());
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAtSec', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byStatus',
            KeySchema: [
              { AttributeName: 'statusShard', KeyType: 'HASH' },
              { AttributeName: 'updatedAtMs', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      },
    });
  });

  it('follows the removalPolicy prop', () => {
    templateOf(build({ removalPolicy: RemovalPolicy.DESTROY })).hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
    });
  });

  it('uses a given table instead of creating one', () => {
    const built = build({}, (stack) => ({ table: Table.fromTableName(stack, 'Existing', 'my-jobs') }));
    templateOf(built).resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(built.jobs.environment.WHARF_TABLE_NAME).toBe('my-jobs');
  });
});

describe('WharfJobs schedules', () => {
  it('creates a named schedule group and a role Scheduler may assume only for this account and group', () => {
    const built = defaultBuilt();
    const template = templateOf(built);
    const name = built.stack.resolve(built.jobs.scheduleGroupName);
    // The construct's path, then the first block of the stack's id: a stack created again gets a new group.
    expect(name).toEqual({
      'Fn::Join': [
        '',
        [
          'Test-Jobs-04DD7372-',
          {
            'Fn::Select': [
              0,
              { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] },
            ],
          },
        ],
      ],
    });
    template.hasResource('AWS::Scheduler::ScheduleGroup', {
      Properties: { Name: name },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': scheduleGroupArnOf(built, 'schedule-group'),
              },
            },
          },
        ],
      },
    });
  });
});

describe('WharfJobs alarms and dashboard', () => {
  it('alarms on dead letters, message age, worker errors and throttles for each queue', () => {
    const built = defaultBuilt();
    const template = templateOf(built);
    // Six per queue, two for the schedule group, and the dead-letter rate alarm of each of the three job types.
    template.resourceCountIs('AWS::CloudWatch::Alarm', 17);
    const dlqName = getAtt(logicalId(built, built.jobs.deadLetterQueues.default!), 'QueueName');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: dlqName }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 1800,
    });
    const worker = { Ref: logicalId(built, built.jobs.workers.default!) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: worker }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: worker }],
    });
  });

  it('notifies the alarm topic on alarm and on recovery', () => {
    let topic: Topic | undefined;
    const built = build({}, (stack) => {
      topic = new Topic(stack, 'Alerts');
      return { alarmTopic: topic };
    });
    const alarms = Object.values(templateOf(built).findResources('AWS::CloudWatch::Alarm'));
    // The job types' dead-letter rate alarms (three) notify it too.
    expect(alarms).toHaveLength(17);
    const topicRef = { Ref: logicalId(built, topic!) };
    for (const alarm of alarms)
      expect(alarm.Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef] });
  });

  it('has no alarm actions without a topic', () => {
    for (const alarm of Object.values(templateOf(defaultBuilt()).findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('draws a dashboard with a row per queue', () => {
    const built = defaultBuilt();
    const dashboards = Object.values(templateOf(built).findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
    expect(body).toContain('### Queue `default`');
    expect(body).toContain('### Queue `emails`');
  });
});

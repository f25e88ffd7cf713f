import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { WharfChecks } from '../../infra/wharf-nag-pack';
import { OUTBOX_RETRY_ATTEMPTS, relayEntry } from '../../src/cdk/outbox';
import type { IamRequest } from '../helpers/iam-requests';
import { type Deployment, deniedRequests, rolePolicies } from '../helpers/iam-simulation';
import { type Built, build, logicalId, templateOf } from './fixtures';

const withOutbox = () => build({ outbox: true });

function relayOf(built: Built) {
  const relay = built.jobs.outbox?.relay;
  if (!relay) throw new Error('no relay');
  return relay;
}

/** The template's resources of one type whose properties match, by logical id. */
function resources(built: Built, type: string, props: object = {}) {
  return templateOf(built).findResources(type, { Properties: props });
}

describe('WharfJobs with `outbox: true`', () => {
  it('gives the job table a stream of new images, and none without it', () => {
    expect(Object.values(resources(withOutbox(), 'AWS::DynamoDB::Table'))).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({ StreamSpecification: { StreamViewType: 'NEW_IMAGE' } }),
      }),
    ]);
    const without = Object.values(resources(build(), 'AWS::DynamoDB::Table'));
    expect(without[0]!.Properties.StreamSpecification).toBeUndefined();
    expect(build().jobs.outbox).toBeUndefined();
  });

  it('tells every function and the stack outputs that the outbox is relayed (WHARF_OUTBOX=1), and says nothing without it', () => {
    const built = withOutbox();
    expect(built.jobs.environment.WHARF_OUTBOX).toBe('1');
    const outputs = templateOf(built).toJSON().Outputs as Record<
      string,
      { Value: unknown; Description: string }
    >;
    const outbox = Object.values(outputs).filter((o) => o.Description.includes('WHARF_OUTBOX'));
    expect(outbox).toEqual([expect.objectContaining({ Value: '1' })]);
    const without = build();
    expect(without.jobs.environment.WHARF_OUTBOX).toBeUndefined();
    const plain = templateOf(without).toJSON().Outputs as Record<string, { Description: string }>;
    expect(Object.values(plain).some((o) => o.Description.includes('WHARF_OUTBOX'))).toBe(false);
  });

  it('triggers the relay with the INSERTs of outbox keys only, partial batch responses, bisection, retries and an on-failure queue', () => {
    const built = withOutbox();
    const tableId = logicalId(built, built.jobs.table as Table);
    const mappings = Object.values(
      resources(built, 'AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(built, relayOf(built)) },
      }),
    );
    expect(mappings).toHaveLength(1);
    expect(mappings[0]!.Properties).toEqual({
      FunctionName: { Ref: logicalId(built, relayOf(built)) },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: OUTBOX_RETRY_ATTEMPTS,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalId(built, built.jobs.outbox!.failedRecords as never), 'Arn'] },
        },
      },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { Keys: { pk: { S: [{ prefix: 'outbox#' }] } } },
            }),
          },
        ],
      },
    });
  });

  it("runs the relay on Node 24 with the run-time configuration, bundled from the package's own entry", () => {
    const built = withOutbox();
    const fn = templateOf(built).toJSON().Resources[logicalId(built, relayOf(built))];
    expect(fn.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x', Timeout: 60 });
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(
      // The relay traces (POWERTOOLS_TRACE_ENABLED) but runs no job, so it has no metrics namespace.
      ['NODE_OPTIONS', 'POWERTOOLS_TRACE_ENABLED', ...Object.keys(built.jobs.environment)].sort(),
    );
    expect(variables.WHARF_QUEUE).toBeUndefined();
    // From src/ here (tsx), from dist/ in the packed package (test/consumer).
    expect(relayEntry()).toMatch(/src\/outbox\/relay-function\.ts$/);
  });

  it("keeps what the relay gives up on in an encrypted, TLS-only queue, with an alarm on it and on the relay's lag", () => {
    const built = withOutbox();
    const queueId = logicalId(built, built.jobs.outbox!.failedRecords as never);
    expect(templateOf(built).toJSON().Resources[queueId].Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    const alarms = built.jobs.outbox!.alarms;
    expect(alarms.failedRecords).toBeDefined();
    expect(alarms.lag).toBeDefined();
    const lag = templateOf(built).toJSON().Resources[logicalId(built, alarms.lag!)];
    expect(lag.Properties).toMatchObject({ MetricName: 'IteratorAge', Threshold: 300_000 });
    expect(
      build({ outbox: true, alarms: { outboxLag: { enabled: false } } }).jobs.outbox!.alarms.lag,
    ).toBeUndefined();
  });

  it('raises no unacknowledged cdk-nag finding, with a customer managed key for the queues', () => {
    const built = build({ outbox: true }, (stack) => ({
      encryptionKey: new Key(stack, 'Key', { enableKeyRotation: true }),
    }));
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks(), new WharfChecks()]) {
      const findings = pack
        .validateScope(built.app)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
      expect(findings).toEqual([]);
    }
    // Synthesized, so that cfn-lint (test/lint/) sees the outbox's resources too.
    templateOf(built);
  });

  it('refuses a given table without a stream, with what to do', () => {
    expect(() =>
      build({ outbox: true }, (stack) => ({
        table: Table.fromTableName(stack, 'Existing', 'jobs'),
      })),
    ).toThrow(/outbox: the given table has no stream/);
  });

  it('refuses grantOutbox without the relay: the entries would never be sent', () => {
    const built = build();
    const role = new Role(built.stack, 'Producer', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    expect(() => built.jobs.grantOutbox(role)).toThrow(/no outbox relay/);
  });
});

describe('the outbox grants, simulated', () => {
  const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/jobs';

  /** The template with the table and queues played by concrete ARNs. */
  function deployment(built: Built): Deployment {
    const played: Record<string, Record<string, string>> = {
      [logicalId(built, built.jobs.table as Table)]: {
        Ref: 'jobs',
        Arn: TABLE_ARN,
        StreamArn: `${TABLE_ARN}/stream/2026-12-01T00:00:00.000`,
      },
    };
    for (const [address, queue] of Object.entries(built.jobs.queues))
      played[logicalId(built, queue as never)] = {
        Ref: `https://sqs.us-east-1.amazonaws.com/123456789012/${address}`,
        Arn: `arn:aws:sqs:us-east-1:123456789012:${address.replace('/', '-')}`,
      };
    return {
      template: templateOf(built).toJSON() as never,
      region: 'us-east-1',
      accountId: '123456789012',
      played,
    };
  }
  const item = (action: string, key: string): IamRequest => ({
    action,
    resource: TABLE_ARN,
    from: `${action} ${key}`,
    context: { 'dynamodb:LeadingKeys': [key] } as never,
  });

  it('lets a producer put outbox entries, and nothing else of the job table', async () => {
    const built = withOutbox();
    const producer = new LambdaFunction(built.stack, 'Api', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {}'),
    });
    built.jobs.configureProducer(producer);
    const d = deployment(built);
    const roleId = logicalId(built, producer.role as Role);
    const principal = {
      label: 'producer',
      arn: 'arn:aws:iam::123456789012:role/producer',
      policies: rolePolicies(d, roleId),
    };
    expect(await deniedRequests(d, principal, [item('dynamodb:PutItem', 'outbox#ship-order:o1')])).toEqual(
      [],
    );
    const refused = [
      item('dynamodb:PutItem', 'job#ship-order:o1'),
      item('dynamodb:PutItem', 'pause#queue#default'),
      item('dynamodb:DeleteItem', 'outbox#ship-order:o1'),
      item('dynamodb:UpdateItem', 'outbox#ship-order:o1'),
    ];
    expect(await deniedRequests(d, principal, refused)).toHaveLength(refused.length);
  });

  it('lets the relay read and delete outbox entries, and no job record', async () => {
    const built = withOutbox();
    const d = deployment(built);
    const roleId = logicalId(built, relayOf(built).role as Role);
    const principal = {
      label: 'relay',
      arn: 'arn:aws:iam::123456789012:role/relay',
      policies: rolePolicies(d, roleId),
    };
    const allowed = [item('dynamodb:GetItem', 'outbox#a'), item('dynamodb:DeleteItem', 'outbox#a')];
    expect(await deniedRequests(d, principal, allowed)).toEqual([]);
    const refused = [
      item('dynamodb:GetItem', 'job#a'),
      item('dynamodb:DeleteItem', 'job#a'),
      item('dynamodb:PutItem', 'outbox#a'),
    ];
    expect(await deniedRequests(d, principal, refused)).toHaveLength(refused.length);
    const send = Object.values(built.jobs.queues).map((q) => ({
      action: 'sqs:SendMessage',
      resource: d.played[logicalId(built, q as never)]!.Arn!,
      from: 'SendMessageBatch',
    }));
    expect(await deniedRequests(d, principal, send)).toEqual([]);
  });

  it('grants the relay its stream, its queues, their dead-letter queues and the schedules', () => {
    const built = withOutbox();
    const roleId = logicalId(built, relayOf(built).role as Role);
    const actions = Object.values(resources(built, 'AWS::IAM::Policy', { Roles: [{ Ref: roleId }] })).flatMap(
      (p) =>
        (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => s.Action),
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:DescribeStream',
        'sqs:SendMessage',
        'scheduler:CreateSchedule',
        'iam:PassRole',
        'dynamodb:GetItem',
        'dynamodb:DeleteItem',
      ]),
    );
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).not.toContain('dynamodb:UpdateItem');
  });
});

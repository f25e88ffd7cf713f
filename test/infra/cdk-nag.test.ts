import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { WharfChecks } from '../../infra/wharf-nag-pack';
import { type Built, build, fullyConfigured, templateOf } from './fixtures';

function findings(pack: NagPack, built: Built): string[] {
  return pack
    .validateScope(built.app)
    .violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}`),
    );
}

const allPacks = () => [new AwsSolutionsChecks(), new ServerlessChecks(), new WharfChecks()];

/** Every acknowledgement in the tree: rule id, the construct it is on, and its reason. */
function acknowledgements(root: IConstruct): { id: string; path: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^Annotation::/i, ''),
          path: c.node.path,
          reason,
        })),
      ),
  );
}

describe('cdk-nag on WharfJobs', () => {
  it('raises no unacknowledged finding from AwsSolutions, Serverless or Wharf with the defaults', () => {
    const built = build();
    for (const pack of allPacks()) expect(findings(pack, built)).toEqual([]);
  });

  it('raises none with a customer managed key, an alarm topic, a FIFO queue, a process worker and every grant', () => {
    const built = fullyConfigured();
    for (const pack of allPacks()) expect(findings(pack, built)).toEqual([]);
    // Synthesized too, so that cfn-lint (test/lint/) sees the most complete template of the suite.
    templateOf(built);
  });

  it('names the rule, the resource and the reason of every acknowledgement WharfJobs makes', () => {
    const built = build();
    const acks = acknowledgements(built.jobs).map(({ id, path }) => `${id} on ${path}`);
    // The group's name ends with the first block of the stack id, which cdk-nag prints as the intrinsic's JSON.
    const stackIdPart = JSON.stringify({
      'Fn::Select': [
        0,
        { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] },
      ],
    });
    const schedules = `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/Test-Jobs-04DD7372-${stackIdPart}/*`;
    const perQueue = (q: string) => [
      `Serverless-SQSRedrivePolicy on Test/Jobs/${q}/DeadLetterQueue`,
      `AwsSolutions-IAM5[Resource::${schedules}] on Test/Jobs/${q}/WorkerRole`,
      `AwsSolutions-IAM5[Resource::*] on Test/Jobs/${q}/WorkerRole`,
      `Serverless-LambdaDLQ on Test/Jobs/${q}/Worker`,
      `Serverless-LambdaEventSourceMappingDestination on Test/Jobs/${q}/Worker`,
    ];
    expect(acks.sort()).toEqual([...perQueue('default'), ...perQueue('emails')].sort());
    for (const ack of acknowledgements(built.jobs)) expect(ack.reason.length).toBeGreaterThan(40);
  });

  it('reports the operator grant\'s ListSchedules on "*" on the grantee, where its owner decides', () => {
    const built = build();
    const operator = new Role(built.stack, 'Operator', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
    });
    built.jobs.grantOperate(operator);
    expect(findings(new AwsSolutionsChecks(), built)).toEqual([
      'error AwsSolutions-IAM5[Resource::*] at Test/Operator/DefaultPolicy/Resource',
    ]);
  });
});

describe('WharfChecks', () => {
  it('flags a queue whose visibility timeout is below 6 x the timeout of the function it triggers', () => {
    const built = build({ queues: { emails: { visibilityTimeout: Duration.minutes(15) } } });
    expect(findings(new WharfChecks(), built)).toEqual([]);
    (built.jobs.queues.emails!.node.defaultChild as CfnQueue).visibilityTimeout = 300;
    expect(findings(new WharfChecks(), built)).toEqual([
      expect.stringMatching(
        /^error Wharf-LambdaEventSourceSQSVisibilityTimeout at Test\/Jobs\/emails\/Worker\/SqsEventSource/,
      ),
    ]);
  });
});

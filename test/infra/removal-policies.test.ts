import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { type Built, build, templateOf } from './fixtures';

// Every stateful resource the construct creates, and what happens to it when it leaves the stack or a change
// replaces it. Waiting jobs, dead letters and their logs must outlive a `cdk destroy` unless the user says so.
const STATEFUL = [
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::Scheduler::ScheduleGroup',
] as const;

/** DeletionPolicy/UpdateReplacePolicy of every resource, keyed by construct path (table, queue, log group...). */
function policies(built: Built): Record<string, string> {
  const resources = templateOf(built).toJSON().Resources as Record<
    string,
    { Type: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }
  >;
  const pathOf = new Map(
    built.stack.node
      .findAll()
      .filter(CfnResource.isCfnResource)
      .map((c) => [built.stack.resolve((c as CfnResource).logicalId) as string, c.node.path]),
  );
  const out: Record<string, string> = {};
  for (const [id, r] of Object.entries(resources)) {
    if (!(STATEFUL as readonly string[]).includes(r.Type)) continue;
    const path = (pathOf.get(id) ?? id).replace(/^Test\/Jobs\//, '').replace(/\/Resource$/, '');
    out[path] = `${r.DeletionPolicy ?? 'Delete'}/${r.UpdateReplacePolicy ?? 'Delete'}`;
  }
  return out;
}

const paths = [
  'Table',
  'ScheduleGroup',
  'default/DeadLetterQueue',
  'default/Queue',
  'default/WorkerLogGroup',
  'emails/DeadLetterQueue',
  'emails/Queue',
  'emails/WorkerLogGroup',
];
const all = (policy: string) => Object.fromEntries(paths.map((p) => [p, policy]));

describe('removal policies', () => {
  it('retain every table, queue, dead-letter queue, log group and the schedule group by default', () => {
    expect(policies(build())).toEqual(all('Retain/Retain'));
  });

  it('follow removalPolicy for all of them', () => {
    expect(policies(build({ removalPolicy: RemovalPolicy.DESTROY }))).toEqual(all('Delete/Delete'));
  });

  it('take a policy per kind of resource over removalPolicy', () => {
    const built = build({
      removalPolicy: RemovalPolicy.DESTROY,
      removalPolicies: {
        deadLetterQueues: RemovalPolicy.RETAIN,
        table: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      },
    });
    expect(policies(built)).toEqual({
      ...all('Delete/Delete'),
      Table: 'RetainExceptOnCreate/Retain',
      'default/DeadLetterQueue': 'Retain/Retain',
      'emails/DeadLetterQueue': 'Retain/Retain',
    });
  });

  it('refuse SNAPSHOT, which none of these resource types supports (CloudFormation would reject the template)', () => {
    expect(() => build({ removalPolicies: { table: RemovalPolicy.SNAPSHOT } })).toThrow(
      /removalPolicies\.table: RemovalPolicy\.SNAPSHOT is not supported by DynamoDB tables/,
    );
    expect(() => build({ removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
      /removalPolicy: RemovalPolicy\.SNAPSHOT/,
    );
  });

  it('protect the retained table from deletion, and not one the user lets go', () => {
    const protection = (b: Built) =>
      Object.values(templateOf(b).findResources('AWS::DynamoDB::Table'))[0]!.Properties
        .DeletionProtectionEnabled;
    expect(protection(build())).toBe(true);
    expect(protection(build({ removalPolicy: RemovalPolicy.DESTROY }))).toBe(false);
    expect(protection(build({ tableDeletionProtection: false }))).toBe(false);
  });
});

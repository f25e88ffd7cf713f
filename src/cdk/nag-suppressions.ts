import { ArnFormat, type Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

/**
 * cdk-nag findings on the resources WharfJobs creates that do not apply, each acknowledged on the one resource it
 * concerns with the reason. Tests run AwsSolutions and Serverless over the construct and expect no other finding.
 */
export function acknowledgeWorkerFindings(worker: IFunction & IConstruct, traced: boolean): void {
  const findings = Validations.of(worker);
  findings.acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      "the worker is invoked synchronously by its SQS event source mapping; a failed message goes to the queue's own " +
      'dead-letter queue through the redrive policy, and the engine writes dead letters there itself',
  });
  findings.acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason:
      "on-failure destinations exist only for stream and Kafka sources; for an SQS source the queue's redrive " +
      'policy (maxReceiveCount, checked at synth) is the failure destination',
  });
  // Only with tracing: then the X-Ray statement is the one statement on "*"; without it nothing is acknowledged.
  if (worker.role && traced) {
    Validations.of(worker.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'only the X-Ray statement (xray:PutTraceSegments, xray:PutTelemetryRecords) that active tracing adds uses "*": ' +
        'X-Ray has no resource-level permissions; the tests assert every other statement of this role',
    });
  }
}

/** A worker in a VPC carries AWS's managed policy for the network interfaces Lambda creates with its role. */
export function acknowledgeVpcAccessPolicy(worker: IFunction & IConstruct): void {
  if (!worker.role) return;
  Validations.of(worker.role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason:
      "AWS's managed policy for a function in a VPC: the ec2 network-interface actions Lambda takes with the role, " +
      'kept current by AWS; the worker is in a VPC only because the user gave it one',
  });
}

export function acknowledgeDeadLetterQueueFindings(deadLetterQueue: IQueue & IConstruct): void {
  Validations.of(deadLetterQueue).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason:
      'this queue is the dead-letter queue of a wharf job queue; a dead-letter queue of its own would only hide dead letters',
  });
}

/**
 * Schedules are created at run time with names we cannot know at synth, so schedule actions are scoped to the job
 * schedule group with a trailing wildcard. The acknowledgement names exactly that resource, nothing broader, on
 * the principal the grant went to (a Function's role, where the policy is, not the Function).
 */
export function acknowledgeSchedulesWildcard(
  grantee: IGrantable,
  stack: Stack,
  scheduleGroupName: string,
): void {
  const holder = Construct.isConstruct(grantee.grantPrincipal) ? grantee.grantPrincipal : grantee;
  if (!Construct.isConstruct(holder)) return;
  const arn = stack.formatArn({
    service: 'scheduler',
    resource: 'schedule',
    resourceName: `${scheduleGroupName}/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  Validations.of(holder).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${asCdkNagPrintsIt(stack.resolve(arn))}]`,
    reason:
      'schedule actions are scoped to the schedules of the wharf schedule group; their names are chosen at run time',
  });
}

/**
 * A resource as cdk-nag names it in a finding (its flattenCfnReference): strings as they are, a Join joined, a
 * Ref as <Name>, a GetAtt as <Resource.Attribute>, anything else as its JSON.
 */
export function asCdkNagPrintsIt(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join)) {
      const [delimiter, items] = join as [string, unknown[]];
      return items.map(asCdkNagPrintsIt).join(delimiter);
    }
    if ('Fn::Sub' in node) return asCdkNagPrintsIt(node['Fn::Sub']);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${asCdkNagPrintsIt(getAtt[0])}.${asCdkNagPrintsIt(getAtt[1])}>`;
    if ('Fn::ImportValue' in node) return asCdkNagPrintsIt(node['Fn::ImportValue']);
    if ('Ref' in node) return `<${asCdkNagPrintsIt(node.Ref)}>`;
  }
  return value === undefined ? '' : JSON.stringify(value);
}

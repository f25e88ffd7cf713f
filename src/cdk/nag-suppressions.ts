import { type Stack, Token, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

/**
 * cdk-nag findings on the resources WharfJobs creates that do not apply, each acknowledged on the one resource it
 * concerns with the reason. Tests run AwsSolutions and Serverless over the construct and expect no other finding.
 */
export function acknowledgeWorkerFindings(worker: IFunction & IConstruct): void {
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
  if (worker.role) {
    Validations.of(worker.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'only the X-Ray statement (xray:PutTraceSegments, xray:PutTelemetryRecords) that active tracing adds uses "*": ' +
        'X-Ray has no resource-level permissions; the tests assert every other statement of this role',
    });
  }
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
  const show = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
  // The ARN as cdk-nag prints it: unresolved pseudo parameters as <AWS::Name>.
  const arn = `arn:${show(stack.partition, 'Partition')}:scheduler:${show(stack.region, 'Region')}:${show(stack.account, 'AccountId')}:schedule/${scheduleGroupName}/*`;
  Validations.of(holder).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arn}]`,
    reason:
      'schedule actions are scoped to the schedules of the wharf schedule group; their names are chosen at run time',
  });
}

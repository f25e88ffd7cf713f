import { RemovalPolicy } from 'aws-cdk-lib';
import type { WharfJobsProps, WharfRemovalPolicies } from './wharf-jobs-props.js';

const RESOURCE_KINDS: Record<keyof WharfRemovalPolicies, string> = {
  table: 'DynamoDB tables',
  queues: 'SQS queues',
  deadLetterQueues: 'SQS queues',
  logGroups: 'log groups',
  scheduleGroup: 'schedule groups',
};

/** SNAPSHOT exists for databases and volumes; none of these types has it, and CloudFormation rejects the template. */
export function removalPolicyProblems(props: WharfJobsProps): string[] {
  const problems: string[] = [];
  if (props.removalPolicy === RemovalPolicy.SNAPSHOT) {
    problems.push(
      'removalPolicy: RemovalPolicy.SNAPSHOT is not supported by the tables, queues, log groups or schedule groups ' +
        'wharf creates: use RETAIN (the default), RETAIN_ON_UPDATE_OR_DELETE or DESTROY',
    );
  }
  for (const [kind, policy] of Object.entries(props.removalPolicies ?? {})) {
    if (policy !== RemovalPolicy.SNAPSHOT) continue;
    problems.push(
      `removalPolicies.${kind}: RemovalPolicy.SNAPSHOT is not supported by ${RESOURCE_KINDS[kind as keyof WharfRemovalPolicies]}: ` +
        'use RETAIN, RETAIN_ON_UPDATE_OR_DELETE or DESTROY (point-in-time recovery keeps 35 days of the table)',
    );
  }
  return problems;
}

/** Every stateful resource is retained unless the user says otherwise: jobs and dead letters outlive a delete. */
export function removalPolicies(props: WharfJobsProps): Required<WharfRemovalPolicies> {
  const all = props.removalPolicy ?? RemovalPolicy.RETAIN;
  const kinds = props.removalPolicies ?? {};
  return {
    table: kinds.table ?? all,
    queues: kinds.queues ?? all,
    deadLetterQueues: kinds.deadLetterQueues ?? all,
    logGroups: kinds.logGroups ?? all,
    scheduleGroup: kinds.scheduleGroup ?? all,
  };
}

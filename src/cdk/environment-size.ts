import { CfnResource, type Stack } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/**
 * Lambda refuses a function whose environment variables take more than 4 KB, and CloudFormation reports it only
 * at deploy time, half way through an update. This check runs at synth, on the values as they will resolve.
 *
 * Most values are references (a queue's URL, the table's name) that resolve only at deploy time. Each is counted
 * at the longest it can resolve to: a name CloudFormation generates is `<stack>-<logical id>-<13 characters>`
 * cut to the service's limit, in the region with the longest name and the partition with the longest suffix. A
 * reference the check does not know counts as UNKNOWN_REFERENCE_BYTES. The size is that of the variables as
 * JSON (`{"KEY":"value",...}`), a little above the sum of keys and values, so the check errs on the safe side.
 */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
export const UNKNOWN_REFERENCE_BYTES = 128;

const LONGEST = {
  region: 'ap-southeast-5',
  partition: 'aws-us-gov',
  urlSuffix: 'amazonaws.com.cn',
  account: '123456789012',
  stackUuid: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
} as const;

/** The longest value each kind of reference can resolve to. */
interface Sample {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The resolved size of a function's environment, and what it would be refused for. */
export function environmentSize(fn: CfnFunction): { bytes: number; variables: number } {
  const stack = fn.stack;
  // The L1 property, resolved: camel-cased (`variables`) until the template renders it as `Variables`.
  const environment = stack.resolve(fn.environment) as { variables?: Record<string, unknown> } | undefined;
  const variables = environment?.variables ?? {};
  const evaluated = Object.fromEntries(
    Object.entries(variables).map(([key, value]) => [key, evaluate(value, stack)]),
  );
  return {
    bytes: Buffer.byteLength(JSON.stringify(evaluated), 'utf8'),
    variables: Object.keys(variables).length,
  };
}

/** A problem when the function's environment can exceed Lambda's limit; undefined when it fits. */
export function environmentSizeProblem(fn: CfnFunction, what: string): string | undefined {
  const { bytes, variables } = environmentSize(fn);
  if (bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return undefined;
  return (
    `${what}: its ${variables} environment variables can take ${bytes} bytes once resolved, above Lambda's limit of ` +
    `${LAMBDA_ENVIRONMENT_LIMIT_BYTES} bytes, so CloudFormation would fail the deploy. Every function gets a queue URL ` +
    'and a dead-letter queue URL for each queue and for each priority lane beyond its default one (any job can ' +
    'enqueue any other): put more jobs on fewer queues or lanes, split the registry across two WharfJobs, or drop ' +
    'extra environment variables'
  );
}

/** Evaluates CloudFormation's intrinsic functions over the longest values their references can take. */
function evaluate(value: unknown, stack: Stack): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => evaluate(v, stack)).join(',');
  if (value === null || typeof value !== 'object') return '';
  const [fn, args] = Object.entries(value)[0] ?? [];
  switch (fn) {
    case 'Ref':
      return sampleOf(String(args), stack)?.ref ?? unknown();
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(args) ? args : String(args).split('.');
      return sampleOf(String(id), stack)?.attributes[String(attribute)] ?? unknown();
    }
    case 'Fn::Join': {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((p) => evaluate(p, stack)).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = args as [number | string, unknown];
      const items = listOf(list, stack);
      return items[Number(index)] ?? unknown();
    }
    case 'Fn::Sub': {
      const [template, names] = (Array.isArray(args) ? args : [args, {}]) as [
        string,
        Record<string, unknown>,
      ];
      return template.replace(/\$\{([^}!]+)\}/g, (_, name: string) =>
        name in names ? evaluate(names[name], stack) : evaluate(refOrAttribute(name), stack),
      );
    }
    default:
      return unknown();
  }
}

function listOf(list: unknown, stack: Stack): string[] {
  if (Array.isArray(list)) return list.map((v) => evaluate(v, stack));
  const split = (list as Record<string, unknown> | null)?.['Fn::Split'];
  if (Array.isArray(split)) {
    const [separator, source] = split as [string, unknown];
    return evaluate(source, stack).split(separator);
  }
  return [];
}

function refOrAttribute(name: string): unknown {
  const dot = name.indexOf('.');
  return dot < 0 ? { Ref: name } : { 'Fn::GetAtt': [name.slice(0, dot), name.slice(dot + 1)] };
}

function unknown(): string {
  return 'x'.repeat(UNKNOWN_REFERENCE_BYTES);
}

function sampleOf(logicalId: string, stack: Stack): Sample | undefined {
  const stackName = stack.resolve(stack.stackName);
  const name = typeof stackName === 'string' ? stackName : 'x'.repeat(128);
  const { region, partition, urlSuffix, account, stackUuid } = LONGEST;
  switch (logicalId) {
    case 'AWS::Region':
      return { ref: region, attributes: {} };
    case 'AWS::AccountId':
      return { ref: account, attributes: {} };
    case 'AWS::Partition':
      return { ref: partition, attributes: {} };
    case 'AWS::URLSuffix':
      return { ref: urlSuffix, attributes: {} };
    case 'AWS::StackName':
      return { ref: name, attributes: {} };
    case 'AWS::StackId':
      return {
        ref: `arn:${partition}:cloudformation:${region}:${account}:stack/${name}/${stackUuid}`,
        attributes: {},
      };
  }
  const resource = resourceById(stack, logicalId);
  if (!resource) return undefined;
  const generated = (limit: number, suffix = '') =>
    `${name}-${logicalId}-${'x'.repeat(13)}`.slice(0, limit - suffix.length) + suffix;
  // A physical name set in the template is exact; otherwise CloudFormation generates one.
  const named = (given: unknown, limit: number, suffix = '') => {
    const plain = stack.resolve(given);
    return typeof plain === 'string' ? plain : generated(limit, suffix);
  };
  const arn = (service: string, resourcePart: string, inRegion = true) =>
    `arn:${partition}:${service}:${inRegion ? region : ''}:${account}:${resourcePart}`;
  if (resource instanceof CfnQueue) {
    const queueName = named(
      resource.queueName,
      80,
      stack.resolve(resource.fifoQueue) === true ? '.fifo' : '',
    );
    const url = `https://sqs.${region}.${urlSuffix}/${account}/${queueName}`;
    return { ref: url, attributes: { Arn: arn('sqs', queueName), QueueName: queueName, QueueUrl: url } };
  }
  if (resource instanceof CfnTable) {
    const tableName = named(resource.tableName, 255);
    return { ref: tableName, attributes: { Arn: arn('dynamodb', `table/${tableName}`) } };
  }
  if (resource instanceof CfnRole) {
    const roleName = named(resource.roleName, 64);
    return {
      ref: roleName,
      attributes: { Arn: arn('iam', `role/${roleName}`, false), RoleId: 'x'.repeat(21) },
    };
  }
  if (resource instanceof CfnScheduleGroup) {
    const groupName = named(resource.name, 64);
    return { ref: groupName, attributes: { Arn: arn('scheduler', `schedule-group/${groupName}`) } };
  }
  return undefined;
}

const resourcesByStack = new WeakMap<Stack, Map<string, CfnResource>>();

function resourceById(stack: Stack, logicalId: string): CfnResource | undefined {
  let resources = resourcesByStack.get(stack);
  if (!resources) {
    resources = new Map(
      stack.node
        .findAll()
        .filter((c: IConstruct): c is CfnResource => CfnResource.isCfnResource(c))
        .map((r) => [String(stack.resolve(r.logicalId)), r]),
    );
    resourcesByStack.set(stack, resources);
  }
  return resources.get(logicalId);
}

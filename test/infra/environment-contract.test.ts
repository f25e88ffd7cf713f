import { describe, expect, it } from 'vitest';
import { configFromEnv, queuesFromEnv } from '../../src/config/env-config';
import { defaultBuilt, logicalId, templateOf, twoQueues } from './fixtures';

// Both directions of the environment contract live in src/config/env-config.ts: the construct encodes with its
// names, a worker decodes with its functions. Read back through the decoder, what the construct sets on a
// function must be a whole configuration, so a name spelt two ways cannot pass.
const registry = twoQueues();

/**
 * A worker's environment as the function would see it in us-east-1: each reference resolved to a value of its
 * kind (a queue's URL, the table's name, a role's ARN, the stack id in the group's name).
 */
function workerEnvironment(queue: string): NodeJS.ProcessEnv {
  const built = defaultBuilt();
  const worker = built.jobs.workers[queue];
  if (!worker) throw new Error(`no worker for queue ${queue}`);
  const template = templateOf(built).toJSON();
  const variables = template.Resources[logicalId(built, worker)].Properties.Environment.Variables as Record<
    string,
    unknown
  >;
  const typeOf = (id: string) => template.Resources[id]?.Type as string | undefined;
  const resolve = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as Record<string, unknown>;
    if ('Ref' in node) {
      const id = String(node.Ref);
      if (id === 'AWS::StackId')
        return 'arn:aws:cloudformation:us-east-1:123456789012:stack/Test/4f1c8e52-1b2a-11f0-9cde-0affd3c1a2b3';
      if (typeOf(id) === 'AWS::SQS::Queue')
        return `https://sqs.us-east-1.amazonaws.com/123456789012/Test-${id}`;
      return `Test-${id}`;
    }
    if ('Fn::GetAtt' in node)
      return `arn:aws:iam::123456789012:role/Test-${(node['Fn::GetAtt'] as string[])[0]}`;
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
    if ('Fn::Select' in node) {
      const [index, list] = node['Fn::Select'] as [number, { 'Fn::Split': [string, unknown] }];
      const [separator, source] = list['Fn::Split'];
      return resolve(source).split(separator)[index] ?? '';
    }
    throw new Error(`no value for ${JSON.stringify(value)}`);
  };
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, resolve(value)]));
}

describe('the environment contract, from the construct to a process', () => {
  it.each(registry.queues)('decodes the %s worker’s environment into a whole configuration', (queue) => {
    const config = configFromEnv(registry.queues, workerEnvironment(queue));
    expect(config.workerQueue).toBe(queue);
    expect(config.tableName).toBeTruthy();
    expect(Object.keys(config.queues).sort()).toEqual([...registry.queues].sort());
    expect(config.scheduler?.groupName).toBe('Test-Jobs-04DD7372-4f1c8e52');
    // The ARNs Scheduler needs are read from the URLs: the construct does not set them.
    expect(config.scheduler?.queues).toEqual(
      Object.fromEntries(
        registry.queues.map((q) => {
          const url = workerEnvironment(queue)[`WHARF_QUEUE_URL_${q.toUpperCase()}`]!;
          const dlq = workerEnvironment(queue)[`WHARF_DLQ_URL_${q.toUpperCase()}`]!;
          const arnOf = (u: string) => `arn:aws:sqs:us-east-1:123456789012:${u.split('/').pop()}`;
          return [q, { arn: arnOf(url), deadLetterArn: arnOf(dlq) }];
        }),
      ),
    );
  });

  it('names every queue for an operator who has only the environment (queuesFromEnv)', () => {
    expect(Object.keys(queuesFromEnv(workerEnvironment('default'))).sort()).toEqual(
      [...registry.queues].sort(),
    );
  });

  it('gives producers the same variables as workers, less the queue a worker serves and what runs jobs', () => {
    // A producer runs no job: the metrics namespace and the Powertools tracing switch are the workers' only.
    const {
      WHARF_QUEUE: _served,
      NODE_OPTIONS: _node,
      WHARF_METRICS_NAMESPACE: _namespace,
      POWERTOOLS_TRACE_ENABLED: _tracing,
      ...shared
    } = workerEnvironment('emails');
    expect(Object.keys(defaultBuilt().jobs.environment).sort()).toEqual(Object.keys(shared).sort());
  });
});

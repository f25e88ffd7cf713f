import { Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { WharfJobs } from 'wharf-jobs/cdk';
import { environmentFromOutputs, type StackOutput } from '../../src/ops/stack-outputs';
import {
  build,
  defaultBuilt,
  FIXTURE_WORKER,
  registryOf,
  templateOf,
  testApp,
  twoQueues,
  twoQueuesFifoEmails,
} from './fixtures';

type Outputs = Record<string, { Value: unknown; Description?: string }>;

const outputsOf = (stack: Stack): Outputs =>
  (templateOf({ stack } as never).toJSON().Outputs ?? {}) as Outputs;

/** The outputs as DescribeStacks would return them, with each value still the unresolved CloudFormation token. */
const asDescribed = (outputs: Outputs): StackOutput[] =>
  Object.entries(outputs).map(([key, o]) => ({
    OutputKey: key,
    OutputValue: JSON.stringify(o.Value),
    ...(o.Description ? { Description: o.Description } : {}),
  }));

describe('the stack outputs of WharfJobs', () => {
  it('publish every variable a producer or the CLI needs, under stable names, each described by its variable', () => {
    const { stack, jobs } = defaultBuilt();
    const outputs = outputsOf(stack);
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'DeadLetterQueueArnDefault',
        'DeadLetterQueueArnEmails',
        'DeadLetterQueueUrlDefault',
        'DeadLetterQueueUrlEmails',
        'MetricsNamespace',
        'QueueArnDefault',
        'QueueArnEmails',
        'QueueUrlDefault',
        'QueueUrlEmails',
        'ScheduleGroupName',
        'SchedulerRoleArn',
        'TableName',
      ].sort(),
    );
    expect(outputs.QueueUrlEmails?.Description).toBe('WHARF_QUEUE_URL_EMAILS: URL of job queue "emails"');
    // What `wharf env` reads back is what the construct gives its functions and producers, plus the queue ARNs
    // (a process could read them from the URLs; a producer outside AWS's URL scheme, or a script, has them here).
    const resolved = Object.fromEntries(
      Object.entries(jobs.environment).map(([name, value]) => [name, JSON.stringify(stack.resolve(value))]),
    );
    const {
      WHARF_QUEUE_ARN_DEFAULT,
      WHARF_DLQ_ARN_DEFAULT,
      WHARF_QUEUE_ARN_EMAILS,
      WHARF_DLQ_ARN_EMAILS,
      WHARF_METRICS_NAMESPACE,
      ...rest
    } = environmentFromOutputs(asDescribed(outputs));
    expect(rest).toEqual(resolved);
    // The metrics' namespace, for `wharf stats` after `wharf env --stack`: the workers have it among their own.
    expect(WHARF_METRICS_NAMESPACE).toBe(JSON.stringify('Wharf'));
    expect(outputs.MetricsNamespace?.Description).toMatch(/^WHARF_METRICS_NAMESPACE: /);
    expect([
      WHARF_QUEUE_ARN_DEFAULT,
      WHARF_DLQ_ARN_DEFAULT,
      WHARF_QUEUE_ARN_EMAILS,
      WHARF_DLQ_ARN_EMAILS,
    ]).toEqual(
      [
        jobs.queues.default,
        jobs.deadLetterQueues.default,
        jobs.queues.emails,
        jobs.deadLetterQueues.emails,
      ].map((q) => JSON.stringify(stack.resolve(q!.queueArn))),
    );
  });

  it('leave out the ARNs of a FIFO queue (Scheduler cannot use its dead-letter queue)', () => {
    const { stack, jobs } = build({ registry: twoQueuesFifoEmails(), queues: { emails: { fifo: true } } });
    const outputs = outputsOf(stack);
    expect(outputs.QueueUrlEmails).toBeDefined();
    expect(outputs.QueueArnEmails).toBeUndefined();
    expect(outputs.DeadLetterQueueArnEmails).toBeUndefined();
    expect(Object.keys(environmentFromOutputs(asDescribed(outputs))).sort()).toEqual(
      [
        ...Object.keys(jobs.environment),
        'WHARF_QUEUE_ARN_DEFAULT',
        'WHARF_DLQ_ARN_DEFAULT',
        'WHARF_METRICS_NAMESPACE',
      ].sort(),
    );
  });

  it('take a prefix for a second construct in the same stack, and can be switched off', () => {
    const app = testApp();
    const stack = new Stack(app, 'Two');
    new WharfJobs(stack, 'Jobs', { registry: twoQueues(), workerEntry: FIXTURE_WORKER });
    new WharfJobs(stack, 'Billing', {
      registry: registryOf({ name: 'charge', queue: 'billing' }),
      workerEntry: FIXTURE_WORKER,
      outputPrefix: 'Billing',
    });
    new WharfJobs(stack, 'Quiet', {
      registry: registryOf({ name: 'quiet', queue: 'quiet' }),
      workerEntry: FIXTURE_WORKER,
      outputs: false,
    });
    const names = Object.keys(outputsOf(stack));
    expect(names).toContain('QueueUrlDefault');
    expect(names).toContain('BillingQueueUrlBilling');
    expect(names).toContain('BillingTableName');
    expect(names.filter((n) => /Quiet/.test(n))).toEqual([]);
    expect(names).toHaveLength(12 + 8);
  });

  it('refuse a second construct with the same output names in one stack, saying how to fix it', () => {
    const app = testApp();
    const stack = new Stack(app, 'Clash');
    new WharfJobs(stack, 'Jobs', { registry: twoQueues(), workerEntry: FIXTURE_WORKER });
    expect(
      () => new WharfJobs(stack, 'More', { registry: twoQueues(), workerEntry: FIXTURE_WORKER }),
    ).toThrow(
      'wharf: WharfJobs "Clash/More" cannot create its stack outputs: stack Clash already has TableName, ' +
        'ScheduleGroupName, SchedulerRoleArn, QueueUrlDefault, DeadLetterQueueUrlDefault, QueueArnDefault, ' +
        'DeadLetterQueueArnDefault, QueueUrlEmails, DeadLetterQueueUrlEmails, QueueArnEmails, ' +
        'DeadLetterQueueArnEmails, MetricsNamespace (another WharfJobs?). Give this one an outputPrefix, or set outputs: false.',
    );
  });
});

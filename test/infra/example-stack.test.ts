import { Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { registry } from '../../functions/registry';
import { ExampleStack } from '../../infra/example-stack';
import { WharfChecks } from '../../infra/wharf-nag-pack';
import { pascalCase } from '../../src/ops/stack-outputs';
import { lintedTemplate } from '../helpers/templates-to-lint';
import { FIXTURE_WORKER, testApp } from './fixtures';

function exampleStack() {
  const app = testApp();
  const stack = new ExampleStack(app, 'WharfExample', { registry, workerEntry: FIXTURE_WORKER });
  return { app, stack };
}

describe('the example stack', () => {
  it('outputs every queue URL, dead-letter queue URL and the table name under stable names', () => {
    const { stack } = exampleStack();
    const template = lintedTemplate(stack);
    const ref = (construct: { node: { defaultChild?: unknown } }) => ({
      Ref: stack.getLogicalId(construct.node.defaultChild as never),
    });
    for (const queue of registry.queues) {
      template.hasOutput(`QueueUrl${pascalCase(queue)}`, { Value: ref(stack.jobs.queues[queue]!) });
      template.hasOutput(`DeadLetterQueueUrl${pascalCase(queue)}`, {
        Value: ref(stack.jobs.deadLetterQueues[queue]!),
      });
    }
    template.hasOutput('TableName', { Value: ref(stack.jobs.table as never) });
    template.hasOutput('ScheduleGroupName', { Value: stack.resolve(stack.jobs.scheduleGroupName) });
  });

  it('outputs the queue and dead-letter queue ARNs a producer elsewhere needs to schedule long delays', () => {
    const { stack } = exampleStack();
    const template = lintedTemplate(stack);
    const arn = (construct: { node: { defaultChild?: unknown } }) => ({
      'Fn::GetAtt': [stack.getLogicalId(construct.node.defaultChild as never), 'Arn'],
    });
    for (const queue of registry.queues) {
      template.hasOutput(`QueueArn${pascalCase(queue)}`, { Value: arn(stack.jobs.queues[queue]!) });
      template.hasOutput(`DeadLetterQueueArn${pascalCase(queue)}`, {
        Value: arn(stack.jobs.deadLetterQueues[queue]!),
      });
    }
    template.hasOutput('SchedulerRoleArn', { Value: arn(stack.jobs.schedulerRole as never) });
  });

  it('is environment-agnostic, so synth needs no account lookups', () => {
    const { stack } = exampleStack();
    expect(Stack.of(stack).environment).toBe('aws://unknown-account/unknown-region');
  });

  it('passes AwsSolutions, Serverless and Wharf checks', () => {
    const { app } = exampleStack();
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks(), new WharfChecks()]) {
      expect(pack.validateScope(app).violations).toEqual([]);
    }
  });
});

describe('pascalCase', () => {
  it('turns queue names into output name suffixes', () => {
    expect(pascalCase('default')).toBe('Default');
    expect(pascalCase('emails-high-2')).toBe('EmailsHigh2');
  });
});

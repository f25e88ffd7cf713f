import { resolve } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { WharfJobsProps } from 'wharf-jobs/cdk';
import { WharfJobs } from 'wharf-jobs/cdk';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import type { Duration } from '../../src/job/duration';
import { createRegistry, type JobRegistry } from '../../src/job/registry';
import { lintedTemplate } from '../helpers/templates-to-lint';

export const FIXTURE_WORKER = resolve(import.meta.dirname, 'fixture-worker.ts');

export interface JobSpec {
  readonly name: string;
  readonly queue?: string;
  readonly timeout?: Duration;
  /** Jobs on a FIFO queue declare their message group. @default false */
  readonly grouped?: boolean;
}

/** A registry of no-op jobs with the given names, queues and timeouts. */
export function registryOf(...specs: JobSpec[]): JobRegistry {
  return createRegistry(
    specs.map((spec) =>
      defineJob({
        name: spec.name,
        queue: spec.queue,
        timeout: spec.timeout ?? '30s',
        schema: z.object({}),
        perform: () => undefined,
        ...(spec.grouped ? { group: () => 'g' } : {}),
      }),
    ),
  );
}

/** `twoQueues` with `emails` as a FIFO queue's jobs would be: each with its group. */
export const twoQueuesFifoEmails = () =>
  registryOf(
    { name: 'sendReport' },
    { name: 'sendWelcome', queue: 'emails', grouped: true },
    { name: 'sendDigest', queue: 'emails', timeout: '2m', grouped: true },
  );

/** Two queues: `default` (30 s jobs) and `emails` (a 2-minute job next to a 30 s one). */
export const twoQueues = () =>
  registryOf(
    { name: 'sendReport' },
    { name: 'sendWelcome', queue: 'emails' },
    { name: 'sendDigest', queue: 'emails', timeout: '2m' },
  );

/** An app that skips asset bundling: these tests are about the template, and bundling is tested on its own. */
export function testApp(): App {
  return new App({ context: { 'aws:cdk:bundling-stacks': [] } });
}

export interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly jobs: WharfJobs;
}

export function build(
  props: Partial<WharfJobsProps> = {},
  before?: (stack: Stack) => Partial<WharfJobsProps>,
): Built {
  const app = testApp();
  const stack = new Stack(app, 'Test');
  const extra = before?.(stack) ?? {};
  const jobs = new WharfJobs(stack, 'Jobs', {
    registry: twoQueues(),
    workerEntry: FIXTURE_WORKER,
    ...props,
    ...extra,
  });
  return { app, stack, jobs };
}

/**
 * A stack that exercises every path: a customer managed key (queues and the alarm topic), an alarm topic, a FIFO
 * queue, a queue served by a process worker, and a process worker's role with grantConsume.
 */
export function fullyConfigured(): Built {
  const registry = registryOf(
    { name: 'quick' },
    { name: 'ordered', queue: 'ordered', grouped: true },
    { name: 'long', queue: 'long', timeout: '2h' },
  );
  const built = build(
    { registry, queues: { ordered: { fifo: true }, long: { lambdaWorker: false } } },
    (stack) => {
      const encryptionKey = new Key(stack, 'Key', { enableKeyRotation: true });
      const alarmTopic = new Topic(stack, 'Alerts', { enforceSSL: true, masterKey: encryptionKey });
      return { encryptionKey, alarmTopic };
    },
  );
  const grantee = new Role(built.stack, 'Worker', {
    assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
  });
  built.jobs.grantConsume(grantee);
  return built;
}

const templates = new WeakMap<Built, Template>();

/**
 * The stack's template, synthesized once per built stack (a test that changes the stack must build its own), and
 * linted by cfn-lint at the end of the run.
 */
export function templateOf(built: Built): Template {
  let template = templates.get(built);
  if (!template) {
    template = lintedTemplate(built.stack);
    templates.set(built, template);
  }
  return template;
}

let defaultStack: Built | undefined;

/**
 * The default stack (two queues, default props), built once per test file: most tests only read it, and
 * building and synthesizing it again for each one is most of this suite's time. Never change it in a test: use
 * `build()` for a stack of your own.
 */
export function defaultBuilt(): Built {
  defaultStack ??= build();
  return defaultStack;
}

/** The logical id of a construct's L1 resource, to match references without asserting hashed ids. */
export function logicalId(built: Built, construct: { node: { defaultChild?: unknown } }): string {
  return built.stack.getLogicalId(construct.node.defaultChild as never);
}

/**
 * The expected ARN of the schedule group (`schedule-group`) or of the schedules in it (`schedule`, with `/*`), as
 * the template spells it. The group's name ends with a piece of the stack id, so it is a join, not a string.
 */
export function scheduleGroupArnOf(b: Built, resource: 'schedule' | 'schedule-group'): unknown {
  const name = b.stack.resolve(b.jobs.scheduleGroupName) as { 'Fn::Join': [string, unknown[]] };
  const [prefix, stackIdPart] = name['Fn::Join'][1];
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':scheduler:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}/${prefix}`,
        stackIdPart,
        ...(resource === 'schedule' ? ['/*'] : []),
      ],
    ],
  };
}

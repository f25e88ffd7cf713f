import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { defineRecurring } from '../../src/schedule/define-recurring';
import { build, defaultBuilt, logicalId, templateOf } from './fixtures';

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

const cleanup = defineJob({
  name: 'cleanup',
  queue: 'maintenance',
  schema: z.object({ olderThanDays: z.number() }),
  perform: () => undefined,
});
const report = defineJob({ name: 'report', schema: z.object({}), perform: () => undefined });
const ordered = defineJob({
  name: 'ordered',
  queue: 'orders',
  schema: z.object({}),
  perform: () => undefined,
});

const nightly = defineRecurring({
  task: 'nightly-cleanup',
  job: cleanup,
  payload: { olderThanDays: 30 },
  schedule: 'every day at 2am',
  timeZone: 'Europe/Berlin',
});
const weekly = defineRecurring({
  task: 'weekly-report',
  job: report,
  schedule: 'every monday at 9:30',
  timeZone: 'America/New_York',
  environments: ['production'],
});
const paused = defineRecurring({ task: 'paused', job: report, schedule: 'every hour', enabled: false });

function synth(environmentName?: string) {
  const registry = createRegistry([cleanup, report], { recurring: [nightly, weekly, paused] });
  return build({ registry, ...(environmentName ? { environmentName } : {}) });
}

function schedulesOf(template: Template): Record<string, { Properties: Record<string, unknown> }> {
  return template.findResources('AWS::Scheduler::Schedule') as Record<
    string,
    { Properties: Record<string, unknown> }
  >;
}

describe('recurring tasks in the CDK construct', () => {
  it('synthesizes one schedule per task, in the job schedule group, targeting its queue through the Scheduler role', () => {
    const built = synth('production');
    const { jobs } = built;
    const resources = templateOf(built).toJSON().Resources;
    const schedule = resources[built.stack.getLogicalId(jobs.recurringSchedules['nightly-cleanup']!)];
    expect(schedule.Properties).toEqual({
      Name: 'recurring.nightly-cleanup',
      GroupName: built.stack.resolve(jobs.scheduleGroupName),
      Description: 'wharf recurring task nightly-cleanup: every day at 2am (Europe/Berlin)',
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: getAtt(logicalId(built, jobs.queues.maintenance!)),
        RoleArn: getAtt(logicalId(built, jobs.schedulerRole as Role)),
        Input:
          '{"v":1,"id":"recurring:nightly-cleanup:<aws.scheduler.scheduled-time>","job":"cleanup",' +
          '"payload":{"olderThanDays":30},"attempt":1,' +
          '"firing":{"task":"nightly-cleanup","at":"<aws.scheduler.scheduled-time>"}}',
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        DeadLetterConfig: { Arn: getAtt(logicalId(built, jobs.deadLetterQueues.maintenance!)) },
      },
    });
    expect(schedule.DependsOn).toContain(logicalId(built, jobs.scheduleGroup as never));
    expect(jobs.recurringSchedules['nightly-cleanup']!.node.path).toBe('Test/Jobs/Recurring/nightly-cleanup');
  });

  it('reads every task in its own time zone', () => {
    const template = templateOf(synth('production'));
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'recurring.weekly-report',
      ScheduleExpression: 'cron(30 9 ? * MON *)',
      ScheduleExpressionTimezone: 'America/New_York',
    });
  });

  it('skips disabled tasks, and tasks limited to other environments, saying so in an info annotation', () => {
    expect(Object.keys(synth('production').jobs.recurringSchedules)).toEqual([
      'nightly-cleanup',
      'weekly-report',
    ]);
    const staging = synth('staging');
    expect(Object.keys(staging.jobs.recurringSchedules)).toEqual(['nightly-cleanup']);
    expect(Object.values(schedulesOf(templateOf(staging))).map((s) => s.Properties.Name)).toEqual([
      'recurring.nightly-cleanup',
    ]);
    Annotations.fromStack(staging.stack).hasInfo(
      '/Test/Jobs',
      'wharf: recurring tasks not deployed in environment "staging": weekly-report (environments: production)',
    );
    Annotations.fromStack(synth('production').stack).hasNoInfo('/Test/Jobs', Match.anyValue());
  });

  it('fails synth for a task limited to environments when the construct has no environmentName', () => {
    expect(() => synth()).toThrow(
      'recurring task "weekly-report": it is limited to environments "production", but WharfJobs has no ' +
        'environmentName, so its schedule would be left out of the template: set environmentName to the ' +
        "environment this stack deploys (environmentName: 'production'), or drop environments to deploy it everywhere",
    );
    // A disabled task is left out on purpose whatever the environment: no error for it.
    const registry = createRegistry([cleanup, report], { recurring: [nightly, paused] });
    expect(Object.keys(build({ registry }).jobs.recurringSchedules)).toEqual(['nightly-cleanup']);
  });

  it('synthesizes no schedule, and no Recurring construct, for a registry without recurring tasks', () => {
    const built = defaultBuilt();
    expect(built.jobs.recurringSchedules).toEqual({});
    templateOf(built).resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(built.jobs.node.tryFindChild('Recurring')).toBeUndefined();
  });

  it('lets the Scheduler role send to the queues and their dead-letter queues (the schedules\u2019 DLQ)', () => {
    const built = synth('production');
    const { jobs } = built;
    const policies = Object.values(templateOf(built).findResources('AWS::IAM::Policy')).filter(
      (p) =>
        JSON.stringify(p.Properties.Roles) ===
        JSON.stringify([{ Ref: logicalId(built, jobs.schedulerRole as Role) }]),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    const arns = (queues: Record<string, unknown>) =>
      Object.values(queues).map((q) => getAtt(logicalId(built, q as never)));
    expect(statements).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: [...arns(jobs.queues), ...arns(jobs.deadLetterQueues)],
      },
    ]);
  });

  it('refuses at synth a task whose job runs on a FIFO queue, saying why and what to do', () => {
    const task = defineRecurring({ task: 'fifo-task', job: ordered, schedule: 'every hour' });
    const registry = createRegistry([ordered], { recurring: [task] });
    expect(() => build({ registry, queues: { orders: { fifo: true } } })).toThrow(
      /recurring task "fifo-task": its job "ordered" runs on the FIFO queue "orders".*run it on a standard queue/,
    );
  });
});

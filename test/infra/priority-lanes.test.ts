import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import type { WharfJobsProps } from 'wharf-jobs/cdk';
import { WharfJobs } from 'wharf-jobs/cdk';
import { z } from 'zod';
import { laneShares } from '../../src/cdk/lanes';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { lintedTemplate } from '../helpers/templates-to-lint';
import { FIXTURE_WORKER, testApp } from './fixtures';

const job = (name: string, options: { queue?: string; priority?: string } = {}) =>
  defineJob({ name, ...options, schema: z.object({}), perform: () => undefined });

const threeLanes = { lanes: { high: 6, default: 3, low: 1 } } as const;

function synth(
  props: Partial<WharfJobsProps> = {},
  jobs = [job('report'), job('mail', { queue: 'emails' })],
) {
  const stack = new Stack(testApp(), 'Lanes');
  const wharf = new WharfJobs(stack, 'Jobs', {
    registry: createRegistry(jobs),
    workerEntry: FIXTURE_WORKER,
    queues: { default: threeLanes },
    ...props,
  });
  return { stack, wharf };
}

/** The logical id of a construct's L1 resource, as the template names it. */
const idOf = (stack: Stack, queue: unknown) =>
  stack.getLogicalId((queue as Queue).node.defaultChild as never);

describe('priority lanes in the WharfJobs construct', () => {
  it('gives each lane but the default one its own queue and dead-letter queue, the default lane being the queue', () => {
    const { stack, wharf } = synth();
    const template = lintedTemplate(stack);
    // default (queue + DLQ), its lanes high and low (queue + DLQ each), emails (queue + DLQ).
    template.resourceCountIs('AWS::SQS::Queue', 8);
    expect(Object.keys(wharf.queues).sort()).toEqual(['default', 'default/high', 'default/low', 'emails']);
    expect(wharf.queues['default/high']!.node.path).toBe('Lanes/Jobs/default/Lanes/high/Queue');
    expect(wharf.deadLetterQueues['default/low']!.node.path).toBe(
      'Lanes/Jobs/default/Lanes/low/DeadLetterQueue',
    );
    // Each lane's redrive policy names its own dead-letter queue, so a dead letter is redriven to its lane.
    for (const lane of ['default/high', 'default/low', 'default']) {
      const queue = template.toJSON().Resources[idOf(stack, wharf.queues[lane])];
      expect(queue.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({
        'Fn::GetAtt': [idOf(stack, wharf.deadLetterQueues[lane]), 'Arn'],
      });
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(10);
    }
  });

  it('gives the worker one event source mapping per lane, each capped at its share of maxConcurrency', () => {
    const { stack, wharf } = synth({ queues: { default: { ...threeLanes, maxConcurrency: 20 } } });
    const template = lintedTemplate(stack);
    const mappings = template.findResources('AWS::Lambda::EventSourceMapping');
    const byQueue = Object.fromEntries(
      Object.values(mappings).map((m) => [
        JSON.stringify(m.Properties.EventSourceArn),
        m.Properties.ScalingConfig?.MaximumConcurrency,
      ]),
    );
    const arnOf = (lane: string) =>
      JSON.stringify({ 'Fn::GetAtt': [idOf(stack, wharf.queues[lane]), 'Arn'] });
    // 20 by 6:3:1 is 12, 6 and 2; emails keeps the whole default of 20.
    expect(byQueue[arnOf('default/high')]).toBe(12);
    expect(byQueue[arnOf('default')]).toBe(6);
    expect(byQueue[arnOf('default/low')]).toBe(2);
    expect(byQueue[arnOf('emails')]).toBe(20);
    expect(Object.keys(mappings)).toHaveLength(4);
    for (const m of Object.values(mappings))
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('tells every function the lanes and their URLs, and publishes them as stack outputs', () => {
    const { stack, wharf } = synth();
    const template = lintedTemplate(stack);
    expect(wharf.environment.WHARF_LANES_DEFAULT).toBe('default:3,high:6,low:1');
    expect(Object.keys(wharf.environment)).toEqual(
      expect.arrayContaining([
        'WHARF_QUEUE_URL_DEFAULT',
        'WHARF_QUEUE_URL_DEFAULT__HIGH',
        'WHARF_DLQ_URL_DEFAULT__HIGH',
        'WHARF_QUEUE_URL_DEFAULT__LOW',
        'WHARF_DLQ_URL_DEFAULT__LOW',
      ]),
    );
    expect(wharf.environment.WHARF_LANES_EMAILS).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WHARF_QUEUE: 'default',
          WHARF_LANES_DEFAULT: 'default:3,high:6,low:1',
          WHARF_QUEUE_URL_DEFAULT__HIGH: { Ref: idOf(stack, wharf.queues['default/high']) },
        }),
      },
    });
    const outputs = template.toJSON().Outputs;
    expect(outputs.LanesDefault).toMatchObject({
      Value: 'default:3,high:6,low:1',
      Description: expect.stringMatching(/^WHARF_LANES_DEFAULT: /),
    });
    expect(outputs.QueueUrlDefaultLaneHigh.Description).toMatch(/^WHARF_QUEUE_URL_DEFAULT__HIGH: /);
    expect(outputs.DeadLetterQueueArnDefaultLaneLow.Description).toMatch(/^WHARF_DLQ_ARN_DEFAULT__LOW: /);
  });

  it('lists a named default lane first in WHARF_LANES_<QUEUE>', () => {
    const { wharf } = synth({
      queues: { default: { lanes: { urgent: 5, normal: 4, bulk: 1 }, defaultLane: 'normal' } },
    });
    expect(wharf.environment.WHARF_LANES_DEFAULT).toBe('normal:4,urgent:5,bulk:1');
    expect(Object.keys(wharf.queues).sort()).toEqual(['default', 'default/bulk', 'default/urgent', 'emails']);
  });

  it('alarms on each lane’s dead letters under the lane’s name, and lets the worker write them', () => {
    const { stack, wharf } = synth();
    const template = lintedTemplate(stack);
    expect(Object.keys(wharf.alarms).sort()).toEqual(['default', 'default/high', 'default/low', 'emails']);
    expect(wharf.alarms['default/high']!.workerErrors).toBeUndefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('Dead letters wait on queue "default/high"'),
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(idOf(stack, wharf.deadLetterQueues['default/low']));
  });

  it('refuses lanes that cannot work, every problem at once', () => {
    const attempt = () =>
      synth(
        {
          queues: {
            default: { lanes: { High: 0, default: 1.5 } },
            emails: { lanes: { only: 1 }, defaultLane: 'nope' },
          },
        },
        [job('report'), job('mail', { queue: 'emails' })],
      );
    expect(attempt).toThrow(/lane name "High" must be 1-20 lowercase letters/);
    expect(attempt).toThrow(
      /queues\.default\.lanes\.High: weight must be an integer from 1 to 1000, received 0/,
    );
    expect(attempt).toThrow(
      /queues\.default\.lanes\.default: weight must be an integer from 1 to 1000, received 1\.5/,
    );
    expect(attempt).toThrow(/queues\.emails\.lanes: expected 2 to 10 lanes .* received 1/);
    expect(attempt).toThrow(/queues\.emails\.defaultLane: "nope" is not one of the lanes \(only\)/);
  });

  it('refuses a lane whose share of the queue’s concurrency is below 2, naming the least that works', () => {
    expect(() => synth({ queues: { default: { lanes: { high: 9, low: 1 }, maxConcurrency: 10 } } })).toThrow(
      /queues\.default\.lanes: on Lambda each lane's event source mapping gets its share of maxConcurrency 10 by weight, and "low" \(weight 1\) would get 1, below 2, .*raise maxConcurrency to at least 16/,
    );
    // Without a Lambda worker there is no event source mapping to split.
    expect(() =>
      synth({ queues: { default: { lanes: { high: 9, low: 1 }, maxConcurrency: 10, lambdaWorker: false } } }),
    ).not.toThrow();
  });

  it('refuses a job priority its queue does not declare, and lanes on a FIFO or existing queue', () => {
    expect(() =>
      synth({}, [job('report', { priority: 'urgent' }), job('mail', { queue: 'emails', priority: 'high' })]),
    ).toThrow(
      /job "report": its priority "urgent" is not a lane of queue "default" \(its lanes: high, default, low\)[\s\S]*job "mail": its priority "high" needs lanes on queue "emails", which declares none/,
    );
    expect(() => synth({ queues: { default: { ...threeLanes, fifo: true } } })).toThrow(
      /queues\.default\.lanes: a FIFO queue cannot have lanes/,
    );
    const stack = new Stack(testApp(), 'Existing');
    const given = { queue: new Queue(stack, 'Q'), deadLetterQueue: new Queue(stack, 'D') };
    expect(
      () =>
        new WharfJobs(stack, 'Jobs', {
          registry: createRegistry([job('report')]),
          workerEntry: FIXTURE_WORKER,
          queues: { default: { ...threeLanes, existingQueues: given } },
        }),
    ).toThrow(/lanes are created by WharfJobs, so they cannot be combined with existingQueues/);
  });

  it('refuses a lane whose variables would be another queue’s', () => {
    expect(() =>
      synth({ queues: { default: threeLanes, a: { lanes: { low: 1, high: 2 } } } }, [
        job('report'),
        job('x', { queue: 'a' }),
        job('y', { queue: 'a--high' }),
      ]),
    ).toThrow(/queue "a--high" and queue "a\/high" would both be WHARF_QUEUE_URL_A__HIGH/);
  });

  it('splits concurrency by weight summing to the whole, largest remainders first', () => {
    const lanes = (weights: number[]) => ({
      lanes: weights.map((weight, i) => ({ name: `l${i}`, weight })),
      defaultLane: 'l0',
    });
    expect([...laneShares(20, lanes([6, 3, 1])).values()]).toEqual([12, 6, 2]);
    expect([...laneShares(10, lanes([1, 1, 1])).values()]).toEqual([4, 3, 3]);
    for (let total = 2; total <= 200; total += 7) {
      const shares = [...laneShares(total, lanes([5, 3, 2, 1])).values()];
      expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
      for (const [i, share] of shares.entries())
        expect(Math.abs(share - (total * [5, 3, 2, 1][i]!) / 11)).toBeLessThan(1);
    }
  });
});

// A second look through the same template: the lanes' queues pass the lint that every queue passes.
describe('lanes and the synth-time lint', () => {
  it('checks an escape-hatch edit on a lane’s queue like one on the queue', () => {
    const { stack, wharf } = synth();
    const cfn = (wharf.queues['default/low'] as Queue).node.defaultChild as { visibilityTimeout?: number };
    cfn.visibilityTimeout = 5;
    expect(() => Template.fromStack(stack)).toThrow(/queue "default\/low": visibility timeout 5 s is below/);
  });
});

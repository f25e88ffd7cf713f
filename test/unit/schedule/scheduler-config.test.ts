import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configFromEnv, queueArnFromUrl } from '../../../src/config/env-config';
import { defineJob } from '../../../src/define-job';
import { ConfigError } from '../../../src/errors';
import { createRegistry } from '../../../src/job/registry';
import { createAwsRuntime } from '../../../src/runtime/aws-runtime';

const base = {
  WHARF_QUEUE_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default',
  WHARF_DLQ_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default-dlq',
  WHARF_QUEUE_URL_ORDERS_FIFO: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders.fifo',
  WHARF_DLQ_URL_ORDERS_FIFO: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders-dlq.fifo',
};
const scheduler = {
  WHARF_SCHEDULE_GROUP: 'wharf-jobs',
  WHARF_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
  WHARF_QUEUE_ARN_DEFAULT: 'arn:aws:sqs:us-east-1:123456789012:default',
  WHARF_DLQ_ARN_DEFAULT: 'arn:aws:sqs:us-east-1:123456789012:default-dlq',
};
const queues = ['default', 'orders-fifo'];

describe('configFromEnv: the scheduler', () => {
  it('is absent without WHARF_SCHEDULE_GROUP: long waits then hop through SQS', () => {
    expect(configFromEnv(queues, base).scheduler).toBeUndefined();
  });

  it('reads the group, the role and the ARNs of the queues that have them (FIFO queues have none)', () => {
    expect(configFromEnv(queues, { ...base, ...scheduler }).scheduler).toEqual({
      groupName: 'wharf-jobs',
      roleArn: 'arn:aws:iam::123456789012:role/scheduler',
      queues: {
        default: {
          arn: 'arn:aws:sqs:us-east-1:123456789012:default',
          deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:default-dlq',
        },
      },
    });
  });

  it('reports a missing role, and a queue ARN without its dead-letter ARN, with the other missing variables', () => {
    const { WHARF_SCHEDULER_ROLE_ARN: _role, WHARF_DLQ_ARN_DEFAULT: _dlq, ...partial } = scheduler;
    const { WHARF_DLQ_URL_DEFAULT: _url, ...someUrls } = base;
    expect(() => configFromEnv(queues, { ...someUrls, ...partial })).toThrow(
      new ConfigError(
        'Missing environment variables: WHARF_DLQ_URL_DEFAULT, WHARF_SCHEDULER_ROLE_ARN, WHARF_DLQ_ARN_DEFAULT. ' +
          'The wharf CDK construct sets them on its functions and on producers given to configureProducer(); elsewhere, eval "$(npx wharf env --stack <StackName>)" sets them from the stack\'s outputs.',
      ),
    );
  });
});

describe('configFromEnv: queue ARNs read from the URLs (what the construct relies on)', () => {
  const group = {
    WHARF_SCHEDULE_GROUP: scheduler.WHARF_SCHEDULE_GROUP,
    WHARF_SCHEDULER_ROLE_ARN: scheduler.WHARF_SCHEDULER_ROLE_ARN,
  };

  it('derives both ARNs of a standard queue from its URLs, and none for a FIFO queue (it hops)', () => {
    expect(configFromEnv(queues, { ...base, ...group }).scheduler?.queues).toEqual({
      default: {
        arn: 'arn:aws:sqs:us-east-1:123456789012:default',
        deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:default-dlq',
      },
    });
  });

  it('prefers ARNs that are set to ARNs it would derive', () => {
    const env = {
      ...base,
      ...group,
      WHARF_QUEUE_ARN_DEFAULT: 'arn:aws:sqs:eu-west-1:210987654321:elsewhere',
      WHARF_DLQ_ARN_DEFAULT: 'arn:aws:sqs:eu-west-1:210987654321:elsewhere-dlq',
    };
    expect(configFromEnv(queues, env).scheduler?.queues.default?.arn).toBe(
      'arn:aws:sqs:eu-west-1:210987654321:elsewhere',
    );
  });

  it('takes the region of an emulator URL from AWS_REGION, and derives nothing without one', () => {
    const local = {
      WHARF_QUEUE_URL_DEFAULT: 'http://127.0.0.1:4566/000000000000/jobs',
      WHARF_DLQ_URL_DEFAULT: 'http://127.0.0.1:4566/000000000000/jobs-dlq',
      ...group,
    };
    expect(configFromEnv(['default'], { ...local, AWS_REGION: 'eu-central-1' }).scheduler?.queues).toEqual({
      default: {
        arn: 'arn:aws:sqs:eu-central-1:000000000000:jobs',
        deadLetterArn: 'arn:aws:sqs:eu-central-1:000000000000:jobs-dlq',
      },
    });
    expect(configFromEnv(['default'], local).scheduler?.queues).toEqual({});
  });

  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/q', 'arn:aws:sqs:eu-west-1:123456789012:q'],
    ['https://eu-west-1.queue.amazonaws.com/123456789012/q', 'arn:aws:sqs:eu-west-1:123456789012:q'],
    ['https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q', 'arn:aws-cn:sqs:cn-north-1:123456789012:q'],
    [
      'https://sqs.us-gov-west-1.amazonaws.com/123456789012/q',
      'arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q',
    ],
    ['https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo', 'arn:aws:sqs:us-east-1:123456789012:q.fifo'],
  ])('reads %s as %s', (url, arn) => {
    expect(queueArnFromUrl(url, 'ap-south-1')).toBe(arn);
  });

  it.each([
    'not a url',
    'https://sqs.us-east-1.amazonaws.com/123456789012',
    'https://sqs.us-east-1.amazonaws.com/12345/q',
    'https://sqs.us-east-1.amazonaws.com/123456789012/q/extra',
  ])('derives nothing from %s', (url) => {
    expect(queueArnFromUrl(url, 'us-east-1')).toBeUndefined();
  });
});

describe('createAwsRuntime', () => {
  const registry = createRegistry([
    defineJob({ name: 'j', schema: z.unknown(), idempotency: 'off', perform: () => 1 }),
  ]);
  const env = {
    WHARF_QUEUE_URL_DEFAULT: base.WHARF_QUEUE_URL_DEFAULT,
    WHARF_DLQ_URL_DEFAULT: base.WHARF_DLQ_URL_DEFAULT,
  };

  it('has a scheduler when the group is configured, and none otherwise', () => {
    expect(createAwsRuntime({ registry, env }).scheduler).toBeUndefined();
    const runtime = createAwsRuntime({ registry, env: { ...env, ...scheduler } });
    expect(runtime.scheduler?.accepts('default', 100)).toBe(true);
  });
});

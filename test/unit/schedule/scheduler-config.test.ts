import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configFromEnv } from '../../../src/config/env-config';
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

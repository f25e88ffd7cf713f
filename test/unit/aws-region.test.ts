import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { resolveRegion } from '../../src/config/region';
import { defineJob } from '../../src/define-job';
import { ConfigError, hasCode } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createAwsRuntime } from '../../src/runtime/aws-runtime';
import { createLambdaWorkerFromEnv } from '../../src/runtime/lambda-from-env';

const registry = createRegistry([
  defineJob({ name: 'j', schema: z.unknown(), idempotency: 'off', perform: () => 1 }),
]);
const env = {
  WHARF_QUEUE_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default',
  WHARF_DLQ_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default-dlq',
};
const noSharedConfig = () => false;

/** The error createAwsRuntime threw, or undefined when it built a runtime. */
function buildError(options: Partial<Parameters<typeof createAwsRuntime>[0]> = {}): unknown {
  try {
    createAwsRuntime({ registry, env, ...options });
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('resolveRegion', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('takes the option first, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    const both = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' };
    expect(resolveRegion('ap-south-1', both, noSharedConfig)).toBe('ap-south-1');
    expect(resolveRegion(undefined, both, noSharedConfig)).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-central-1' }, noSharedConfig)).toBe(
      'eu-central-1',
    );
  });

  it('falls back to the process environment, which the SDK reads too', () => {
    vi.stubEnv('AWS_DEFAULT_REGION', 'us-west-2');
    expect(resolveRegion(undefined, {}, noSharedConfig)).toBe('us-west-2');
  });

  it('leaves the region to the SDK when a shared config file can name a profile region', () => {
    expect(resolveRegion(undefined, {}, () => true)).toBeUndefined();
  });

  it('throws ConfigError (WHARF_CONFIG) naming what to set when there is no region at all', () => {
    expect(() => resolveRegion(undefined, { AWS_REGION: ' ' }, noSharedConfig)).toThrow(ConfigError);
    expect(() => resolveRegion(undefined, {}, noSharedConfig)).toThrow(/set AWS_REGION/);
  });
});

describe('createAwsRuntime without a region', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    // No ~/.aws/config either: the SDK would have nowhere to read a region from.
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/wharf-test/aws-config');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('fails at once with ConfigError, before any client is built or request made', () => {
    const error = buildError();
    expect(hasCode(error, 'WHARF_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/No AWS region is configured: set AWS_REGION/);
  });

  it('fails the same way in a Lambda worker built from the environment', () => {
    expect(() => createLambdaWorkerFromEnv({ registry, env: { ...env, WHARF_QUEUE: 'default' } })).toThrow(
      /No AWS region is configured/,
    );
  });

  it('builds when the region comes from the option, AWS_DEFAULT_REGION, or the caller’s own clients', async () => {
    expect(buildError({ region: 'eu-west-1' })).toBeUndefined();
    expect(buildError({ env: { ...env, AWS_DEFAULT_REGION: 'eu-west-1' } })).toBeUndefined();
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    expect(buildError({ sqs: new SQSClient({ region: 'eu-west-1' }) })).toBeUndefined();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { awsSettingsFromEnv } from '../../../src/config/aws-settings';
import { hasCode } from '../../../src/errors';
import { type AwsClientsOptions, createAwsClients as createRoot } from '../../../src/runtime/aws-clients';
import { importDynamoDBClass } from '../../../src/runtime/import-dynamodb-class';

// The root as ops builds it: the DynamoDB class on first need.
const createAwsClients = (options: Omit<AwsClientsOptions, 'dynamodbClass'>) =>
  createRoot({ ...options, dynamodbClass: importDynamoDBClass });

const motoish = 'http://127.0.0.1:5999';

describe('awsSettingsFromEnv', () => {
  beforeEach(() => {
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_SQS', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'])
      vi.stubEnv(name, undefined);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('takes the option first, then the per-service variable, then AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL: 'http://all', AWS_ENDPOINT_URL_SQS: 'http://sqs' };
    const settings = awsSettingsFromEnv({ env, region: 'eu-west-1', buildsClient: true });
    expect(settings.endpointOf('sqs')).toBe('http://sqs');
    expect(settings.endpointOf('dynamodb')).toBe('http://all');
    const given = awsSettingsFromEnv({
      env,
      region: 'eu-west-1',
      endpoint: 'http://mine',
      buildsClient: true,
    });
    expect(given.endpointOf('sqs')).toBe('http://mine');
  });

  it('reads the given env before the process environment, as a whole', () => {
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', 'http://process-sqs');
    const settings = awsSettingsFromEnv({ env: { AWS_ENDPOINT_URL: 'http://env' }, buildsClient: false });
    expect(settings.endpointOf('sqs')).toBe('http://env');
    expect(awsSettingsFromEnv({ env: {}, buildsClient: false }).endpointOf('sqs')).toBe('http://process-sqs');
  });

  it('honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS for the variables, not for an explicit endpoint', () => {
    const env = { AWS_ENDPOINT_URL: 'http://all', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' };
    expect(awsSettingsFromEnv({ env, buildsClient: false }).endpointOf('sqs')).toBeUndefined();
    expect(awsSettingsFromEnv({ env, endpoint: 'http://x', buildsClient: false }).endpointOf('sqs')).toBe(
      'http://x',
    );
  });
});

describe('createAwsClients', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('builds each client once, on its first call, with the region and endpoint it was given', async () => {
    const clients = createAwsClients({ env: { AWS_ENDPOINT_URL: motoish }, region: 'ap-south-1' });
    const [first, again] = await Promise.all([clients.sqs(), clients.sqs()]);
    expect(first).toBe(again);
    expect(await first.config.region()).toBe('ap-south-1');
    expect((await first.config.endpoint?.())?.hostname).toBe('127.0.0.1');
    const dynamodb = await clients.dynamodb();
    expect(String((await dynamodb.config.endpoint?.())?.port)).toBe('5999');
    clients.close();
  });

  it('lets SQS follow the queue URL host unless an endpoint is configured (moto hands out amazonaws.com URLs)', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', undefined);
    vi.stubEnv('AWS_ENDPOINT_URL_SQS', undefined);
    const plain = createAwsClients({ env: {}, region: 'us-east-1' });
    expect((await plain.sqs()).config.useQueueUrlAsEndpoint).toBe(true);
    const emulated = createAwsClients({ env: { AWS_ENDPOINT_URL_SQS: motoish }, region: 'us-east-1' });
    expect((await emulated.sqs()).config.useQueueUrlAsEndpoint).toBe(false);
    plain.close();
    emulated.close();
  });

  it('hands out a given client as is and never destroys it; destroys the ones it built', async () => {
    const { SQSClient } = await import('@aws-sdk/client-sqs');
    const mine = new SQSClient({ region: 'eu-west-1' });
    const destroyMine = vi.spyOn(mine, 'destroy');
    const clients = createAwsClients({ env: {}, region: 'eu-west-1', given: { sqs: mine } });
    expect(await clients.sqs()).toBe(mine);
    const built = await clients.dynamodb();
    const destroyBuilt = vi.spyOn(built, 'destroy');
    clients.close();
    expect(destroyMine).not.toHaveBeenCalled();
    expect(destroyBuilt).toHaveBeenCalledOnce();
  });

  it('says a region is missing when it is built, only when it will build a client', () => {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/wharf-test/aws-config');
    const error = (() => {
      try {
        createAwsClients({ env: {}, uses: ['sqs'] });
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(hasCode(error, 'WHARF_CONFIG')).toBe(true);
    const sqs = {} as never;
    expect(() => createAwsClients({ env: {}, uses: ['sqs'], given: { sqs } })).not.toThrow();
  });
});

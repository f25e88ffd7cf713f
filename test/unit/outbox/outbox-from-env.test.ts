import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../../src/define-job';
import { ConfigError } from '../../../src/errors';
import { createRegistry } from '../../../src/job/registry';
import { createAwsRuntime } from '../../../src/runtime/aws-runtime';
import { createOutboxRelayFromEnv } from '../../../src/runtime/outbox-relay-from-env';

const remind = defineJob({
  name: 'remind',
  schema: z.object({ userId: z.string() }),
  perform: () => undefined,
});
const QUEUES = {
  WHARF_QUEUE_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-default',
  WHARF_DLQ_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-default-dlq',
  AWS_REGION: 'us-east-1',
};

describe('the outbox from the environment', () => {
  it("points the runtime's transactItems at the job table when the stack relays its outbox (WHARF_OUTBOX)", async () => {
    const runtime = createAwsRuntime({
      registry: createRegistry([remind]),
      env: { ...QUEUES, WHARF_TABLE_NAME: 'app-jobs', WHARF_OUTBOX: '1' },
    });
    const [item] = await runtime.client.transactItems(remind.with({ userId: 'u1' }));
    expect(item!.Put.TableName).toBe('app-jobs');
    runtime.clients.close();
  });

  it('refuses transactItems on a stack without the relay: its entries would never be sent', async () => {
    const runtime = createAwsRuntime({
      registry: createRegistry([remind]),
      env: { ...QUEUES, WHARF_TABLE_NAME: 'app-jobs' },
    });
    await expect(runtime.client.transactItems(remind.with({ userId: 'u1' }))).rejects.toMatchObject({
      code: 'WHARF_CONFIG',
      message: expect.stringContaining('deploy WharfJobs with `outbox: true`, which sets WHARF_OUTBOX=1'),
    });
    runtime.clients.close();
  });

  it('builds the relay from the queues and the table, without a registry, and makes no request for an empty batch', async () => {
    const relay = createOutboxRelayFromEnv({
      env: { ...QUEUES, WHARF_TABLE_NAME: 'app-jobs' },
      onEvent: () => undefined,
    });
    await expect(relay({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });

  it('refuses to start without the table, or without any queue, saying which variable is missing', () => {
    expect(() => createOutboxRelayFromEnv({ env: QUEUES })).toThrow(ConfigError);
    expect(() => createOutboxRelayFromEnv({ env: QUEUES })).toThrow(/WHARF_TABLE_NAME is not set/);
    expect(() =>
      createOutboxRelayFromEnv({ env: { WHARF_TABLE_NAME: 'app-jobs', AWS_REGION: 'us-east-1' } }),
    ).toThrow(/No queues configured/);
  });

  it('reads every lane of a queue with lanes, and refuses a lane without its URLs', () => {
    const lanes = { ...QUEUES, WHARF_TABLE_NAME: 'app-jobs', WHARF_LANES_DEFAULT: 'normal:3,high:6' };
    expect(() => createOutboxRelayFromEnv({ env: lanes })).toThrow(/WHARF_QUEUE_URL_DEFAULT__HIGH/);
    const complete = {
      ...lanes,
      WHARF_QUEUE_URL_DEFAULT__HIGH: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-default-high',
      WHARF_DLQ_URL_DEFAULT__HIGH: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs-default-high-dlq',
    };
    expect(() => createOutboxRelayFromEnv({ env: complete })).not.toThrow();
  });
});

import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createAwsRuntime } from '../../src/runtime/aws-runtime';
import { motoEndpoint, sqsClient } from '../helpers/aws';
import { createQueuePair } from '../helpers/queues';

const job = defineJob({
  name: 'ping',
  schema: z.object({ n: z.number() }),
  idempotency: 'off',
  perform: () => 1,
});
const registry = createRegistry([job]);

describe('the AWS runtime and its region (moto)', () => {
  beforeEach(() => {
    vi.stubEnv('AWS_ENDPOINT_URL', motoEndpoint());
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/wharf-test/aws-config');
  });
  afterEach(() => vi.unstubAllEnvs());

  it('with no region anywhere, refuses to build before any request (ConfigError, not 4 rounds of sends)', async () => {
    const pair = await createQueuePair(sqsClient());
    const env = { WHARF_QUEUE_URL_DEFAULT: pair.url, WHARF_DLQ_URL_DEFAULT: pair.deadLetterUrl };
    expect(() => createAwsRuntime({ registry, env })).toThrow(
      expect.objectContaining({ code: 'WHARF_CONFIG', message: expect.stringMatching(/set AWS_REGION/) }),
    );
  });

  it('sends with the region of AWS_DEFAULT_REGION, which the SDK itself does not read', async () => {
    const sqs = sqsClient();
    const pair = await createQueuePair(sqs);
    const env = {
      WHARF_QUEUE_URL_DEFAULT: pair.url,
      WHARF_DLQ_URL_DEFAULT: pair.deadLetterUrl,
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    const runtime = createAwsRuntime({ registry, env });
    const enqueued = await runtime.client.enqueue(job.with({ n: 1 }));
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: pair.url, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
    );
    expect(JSON.parse(Messages?.[0]?.Body ?? '{}')).toMatchObject({ id: enqueued.jobId, job: 'ping' });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { setDefaultEnqueuer } from '../../../src/client/default-enqueuer';
import { defineJob } from '../../../src/define-job';
import { createRegistry } from '../../../src/job/registry';
import { createLocalEngine } from '../../../src/local/local-engine';
import { createAwsRuntime } from '../../../src/runtime/aws-runtime';
import { lambdaWorkerOptionsFromEnv } from '../../../src/runtime/lambda-from-env';
import { createWorkerFromEnv } from '../../../src/runtime/worker-from-env';

// Issue 11, "a hidden global": building a runtime or an engine has no process-wide effect unless asked; the
// entries that own their process (a Lambda function, a worker process) install their client and say so.
const job = defineJob({ name: 'noop', schema: z.object({}), idempotency: 'off', perform: () => undefined });
const registry = createRegistry([job]);
const env = {
  AWS_REGION: 'us-east-1',
  WHARF_QUEUE_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default',
  WHARF_DLQ_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default-dlq',
};

/** The client performLater would use now, or undefined when none is configured. */
function currentDefault() {
  const current = setDefaultEnqueuer(undefined);
  setDefaultEnqueuer(current);
  return current;
}

describe('the default client of performLater', () => {
  afterEach(() => setDefaultEnqueuer(undefined));

  it('is left alone by createAwsRuntime and createLocalEngine: two of them do not overwrite each other', () => {
    const first = createAwsRuntime({ registry, env });
    const engine = createLocalEngine({ registry });
    createAwsRuntime({ registry, env });
    expect(currentDefault()).toBeUndefined();
    setDefaultEnqueuer(first.client);
    createLocalEngine({ registry });
    createAwsRuntime({ registry, env });
    expect(currentDefault()).toBe(first.client);
    engine.close();
    expect(currentDefault()).toBe(first.client);
  });

  it('is installed when asked, and a local engine gives the previous one back on close()', async () => {
    const runtime = createAwsRuntime({ registry, env, installAsDefault: true });
    expect(currentDefault()).toBe(runtime.client);
    const engine = createLocalEngine({ registry, installAsDefault: true });
    expect(currentDefault()).toBe(engine.client);
    await job.performLater({});
    expect((await engine.runUntilIdle()).byJob.noop?.succeeded).toBe(1);
    engine.close();
    expect(currentDefault()).toBe(runtime.client);
  });

  it('is installed by the Lambda and worker entries, which own their process', () => {
    lambdaWorkerOptionsFromEnv({ registry, env: { ...env, WHARF_QUEUE: 'default' } });
    expect(currentDefault()).toBeDefined();
    setDefaultEnqueuer(undefined);
    createWorkerFromEnv({ registry, env });
    expect(currentDefault()).toBeDefined();
  });

  it('is, inside a job on an embedded engine, that engine: two engines each keep the jobs their jobs enqueue', async () => {
    const done: string[] = [];
    const follow = defineJob({
      name: 'follow',
      schema: z.object({ from: z.string() }),
      idempotency: 'off',
      perform: ({ from }) => void done.push(from),
    });
    const lead = defineJob({
      name: 'lead',
      schema: z.object({ from: z.string() }),
      idempotency: 'off',
      perform: async ({ from }) => void (await follow.performLater({ from })),
    });
    const both = createRegistry([lead, follow]);
    const [a, b] = [createLocalEngine({ registry: both }), createLocalEngine({ registry: both })];
    setDefaultEnqueuer(b.client); // the process-wide default is b: a's jobs still enqueue on a
    await a.client.enqueue(lead.with({ from: 'a' }));
    expect((await a.runUntilIdle()).byJob.follow?.succeeded).toBe(1);
    expect(b.transport.peek('default')).toEqual([]);
    expect(done).toEqual(['a']);
    a.close();
    b.close();
  });
});

import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsRuntime, createDynamoJobStore } from 'wharf-jobs/aws';
import { createLambdaWorkerFromEnv } from 'wharf-jobs/lambda';
import { createInMemoryServices, useServices } from '../../functions/app/services';
import { registry } from '../../functions/registry';
import { setDefaultEnqueuer } from '../../src/index';
import { dynamoClient, motoEndpoint, sqsClient } from '../helpers/aws';
import { type DeployedStack, deployExampleStack, functionConfiguration } from '../helpers/deploy-stack';
import { pollOnce } from '../helpers/esm';

// The example app's stack, synthesized by the CDK CLI and deployed to moto's CloudFormation, then the engine's
// flow on the queues and table that stack created: a producer configured from a deployed worker's own
// environment enqueues, and the worker entry (functions/worker.ts's createLambdaWorkerFromEnv, the same call)
// runs on messages received from the deployed queue. moto creates the functions but never runs their code
// (no Docker), so the handler runs in-process, fed as the event source mapping would feed it.
let deployed: DeployedStack;
let workerEnv: Record<string, string>;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

beforeAll(async () => {
  deployed = await deployExampleStack();
  for (const name of deployed.workerFunctions) {
    const config = await functionConfiguration(name);
    const variables = (config.Environment as { Variables: Record<string, string> }).Variables;
    if (variables.WHARF_QUEUE === 'default') workerEnv = variables;
  }
  // The SDK clients the runtime builds read the standard endpoint variable, as they would for LocalStack.
  process.env.AWS_ENDPOINT_URL = motoEndpoint();
}, 180_000);

afterAll(() => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  setDefaultEnqueuer(undefined);
});

describe('the example app on its deployed stack (moto)', () => {
  it('imports users and sends their welcome emails through the deployed queue and table', async () => {
    const services = createInMemoryServices();
    useServices(services);
    const producer = createAwsRuntime({ registry, env: workerEnv });
    const handler = createLambdaWorkerFromEnv({ registry, env: workerEnv, onEvent: () => undefined });
    const sqs = sqsClient();
    const queueUrl = deployed.outputs.QueueUrlDefault!;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );

    const { jobId } = await producer.client.enqueue(
      (await import('../../functions/jobs/import-users')).importUsers.with({ file: 'users.csv' }),
    );
    for (let round = 0; round < 20 && services.mailer.outbox.length < 6; round++) {
      await pollOnce({
        sqs,
        queueUrl,
        queueArn: Attributes!.QueueArn!,
        handler: (e, c) => handler(e, c),
        waitTimeSeconds: 1,
      });
    }

    expect(services.mailer.outbox.map((m) => m.to).sort()).toEqual([
      'ada@example.com',
      'alan@example.com',
      'barbara@example.com',
      'grace@example.com',
      'margaret@example.com',
      'tester1@example.invalid',
    ]);
    const store = createDynamoJobStore({ client: dynamoClient(), tableName: deployed.outputs.TableName! });
    const now = Date.now();
    expect(await store.get(jobId, now)).toMatchObject({
      status: 'succeeded',
      jobName: 'import-users',
      queue: 'default',
    });
    expect(await store.get('send-welcome-email:u1', now)).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      fence: 1,
    });
    expect(workerEnv.WHARF_TABLE_NAME).toBe(deployed.outputs.TableName);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { setDefaultEnqueuer } from '../../../src/client/default-enqueuer';
import { defineJob } from '../../../src/define-job';
import type { ErrorReporter } from '../../../src/engine/error-reporter';
import { createRegistry } from '../../../src/job/registry';
import { lambdaWorkerOptionsFromEnv } from '../../../src/runtime/lambda-from-env';

const job = defineJob({ name: 'noop', schema: z.object({}), idempotency: 'off', perform: () => undefined });
const env = {
  AWS_REGION: 'us-east-1',
  WHARF_QUEUE: 'default',
  WHARF_QUEUE_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default',
  WHARF_DLQ_URL_DEFAULT: 'https://sqs.us-east-1.amazonaws.com/123456789012/default-dlq',
};

// The worker process's entry (createWorkerFromEnv) is proven with its reporter in test/integration/hooks.test.ts;
// the Lambda entry is built here from the same variables the construct sets.
describe('the Lambda entry from the environment', () => {
  afterEach(() => setDefaultEnqueuer(undefined));

  it("hands the error reporter to the engine's options, so Sentry is plugged in one place", () => {
    const reportError: ErrorReporter = () => undefined;
    const options = lambdaWorkerOptionsFromEnv({ registry: createRegistry([job]), env, reportError });
    expect(options.reportError).toBe(reportError);
  });
});

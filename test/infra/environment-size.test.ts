import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { WharfJobs } from 'wharf-jobs/cdk';
import { environmentSize, LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../../src/cdk/environment-size';
import { lintedTemplate } from '../helpers/templates-to-lint';
import { FIXTURE_WORKER, registryOf } from './fixtures';

// Lambda refuses more than 4 KB of environment per function, and CloudFormation finds out half way through a
// deploy. Every function gets each queue's URL and dead-letter URL, so the size grows with the queues: the
// construct checks it at synth, counting each reference at the longest value it can resolve to.
const QUEUE_NAMES = [
  'default',
  'emails',
  'billing-reports',
  'webhooks-outbound',
  'search-indexing',
  'image-thumbnails',
  'notifications-push',
  'exports-csv',
  'payments-settlement',
  'audit-trail',
];

function appWith(queueCount: number, stackName = 'OrdersServiceProduction') {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, stackName);
  const names = Array.from({ length: queueCount }, (_, i) => QUEUE_NAMES[i] ?? `overflow-queue-${i}`);
  const registry = registryOf(...names.map((queue, i) => ({ name: `job-${i}`, queue })));
  const jobs = new WharfJobs(stack, 'WharfJobs', { registry, workerEntry: FIXTURE_WORKER });
  return { app, stack, jobs };
}

const cfn = (fn: LambdaFunction) => fn.node.defaultChild as CfnFunction;

describe('the environment size check', () => {
  it('lets an app with ten queues synthesize, every function within 4 KB', () => {
    const { stack, jobs } = appWith(10);
    expect(() => lintedTemplate(stack)).not.toThrow();
    const sizes = Object.values(jobs.workers).map((w) => environmentSize(cfn(w)).bytes);
    expect(sizes).toHaveLength(10);
    for (const bytes of sizes) {
      expect(bytes).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
      // Twenty queue variables, three shared ones, WHARF_QUEUE and NODE_OPTIONS: well above a trivial count.
      expect(bytes).toBeGreaterThan(2500);
    }
  });

  it('fails synth, naming the function and the size, when the queues no longer fit', () => {
    const { stack } = appWith(16);
    expect(() => Template.fromStack(stack)).toThrow(
      /the worker of queue "default": its 39 environment variables can take \d{4} bytes once resolved, above Lambda's limit of 4096 bytes/,
    );
  });

  it('counts each priority lane’s two URLs and the lanes variable, and says so when they no longer fit', () => {
    const lanedApp = (laneCount: number) => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'OrdersServiceProduction');
      const registry = registryOf(
        ...QUEUE_NAMES.slice(0, 4).map((queue, i) => ({ name: `job-${i}`, queue })),
      );
      const lanes = Object.fromEntries(Array.from({ length: laneCount }, (_, i) => [`lane-${i}`, 1]));
      const jobs = new WharfJobs(stack, 'WharfJobs', {
        registry,
        workerEntry: FIXTURE_WORKER,
        queueDefaults: { lanes, maxConcurrency: 2 * laneCount },
      });
      return { stack, jobs };
    };
    const plain = environmentSize(cfn(appWith(4).jobs.workers.default!));
    const { stack, jobs } = lanedApp(2);
    expect(() => lintedTemplate(stack)).not.toThrow();
    const laned = environmentSize(cfn(jobs.workers.default!));
    // Four queues of two lanes: per queue one more lane (two URLs) and WHARF_LANES_<QUEUE>.
    expect(laned.variables).toBe(plain.variables + 4 * 3);
    expect(laned.bytes).toBeGreaterThan(plain.bytes + 4 * 2 * 150);
    expect(laned.bytes).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
    // Four queues of four lanes each no longer fit.
    expect(() => Template.fromStack(lanedApp(4).stack)).toThrow(
      /above Lambda's limit of 4096 bytes.*for each queue and for each priority lane beyond its default one.*fewer queues or lanes/,
    );
  });

  it('counts a worker’s extra environment variables', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Extra');
    const registry = registryOf({ name: 'a' });
    new WharfJobs(stack, 'Jobs', {
      registry,
      workerEntry: FIXTURE_WORKER,
      queues: { default: { environment: { BIG: 'x'.repeat(4000) } } },
    });
    expect(() => Template.fromStack(stack)).toThrow(
      /the worker of queue "default": its \d+ environment variables/,
    );
  });

  it('checks a producer’s function too, with its own variables', () => {
    const { stack, jobs } = appWith(2, 'Producer');
    const api = new LambdaFunction(stack, 'Api', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('0'),
      environment: { CONFIG: 'y'.repeat(3800) },
    });
    jobs.configureProducer(api);
    expect(() => Template.fromStack(stack)).toThrow(
      /producer Producer\/Api: its \d+ environment variables can take/,
    );
  });

  it('counts a reference at the longest value it can resolve to, and a literal exactly', () => {
    const { jobs } = appWith(1, 'S');
    const worker = cfn(jobs.workers.default!);
    const { bytes, variables } = environmentSize(worker);
    // Five of configuration, WHARF_QUEUE, NODE_OPTIONS, WHARF_METRICS_NAMESPACE and POWERTOOLS_TRACE_ENABLED.
    expect(variables).toBe(9);
    // What us-east-1 would really give, with CloudFormation's generated names for this stack: never more.
    const resolved = worker.stack.resolve(worker.environment) as { variables: Record<string, unknown> };
    const typical = JSON.stringify(
      Object.fromEntries(
        Object.entries(resolved.variables).map(([k, v]) => [
          k,
          typeof v === 'string'
            ? v
            : `https://sqs.us-east-1.amazonaws.com/123456789012/S-${JSON.stringify(v).length}`,
        ]),
      ),
    ).length;
    expect(bytes).toBeGreaterThan(typical);
    // A function whose variables are all literals is counted exactly, as its JSON.
    const stack = new Stack(new App(), 'Literal');
    const fn = new LambdaFunction(stack, 'Fn', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('0'),
      environment: { A: '1', LONGER: 'two words' },
    });
    expect(environmentSize(cfn(fn))).toEqual({
      bytes: JSON.stringify({ A: '1', LONGER: 'two words' }).length,
      variables: 2,
    });
  });
});

import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnEventSourceMapping, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { lintQueues, type QueueFacts } from '../../src/cdk/config-lint';
import { lintedTemplate } from '../helpers/templates-to-lint';
import { build, registryOf, twoQueuesFifoEmails } from './fixtures';

const safe: QueueFacts = {
  queue: 'default',
  fifo: false,
  visibilityTimeoutSeconds: 240,
  retentionSeconds: 345_600,
  deadLetterRetentionSeconds: 1_209_600,
  maxReceiveCount: 10,
  worker: {
    timeoutSeconds: 40,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    reportBatchItemFailures: true,
    maxConcurrency: 20,
  },
};

describe('lintQueues', () => {
  it('finds nothing wrong with the defaults', () => {
    expect(lintQueues([safe])).toEqual([]);
  });

  it('accepts a visibility timeout of exactly 6 x timeout + window', () => {
    expect(
      lintQueues([
        { ...safe, visibilityTimeoutSeconds: 245, worker: { ...safe.worker!, maxBatchingWindowSeconds: 5 } },
      ]),
    ).toEqual([]);
    expect(
      lintQueues([
        { ...safe, visibilityTimeoutSeconds: 244, worker: { ...safe.worker!, maxBatchingWindowSeconds: 5 } },
      ]),
    ).toHaveLength(1);
  });
});

describe('WharfJobs configuration lint at synth', () => {
  it('fails when the visibility timeout is below 6 x worker timeout + batching window', () => {
    expect(() => build({ queues: { default: { visibilityTimeout: Duration.seconds(60) } } })).toThrow(
      /queue "default": visibility timeout 60 s is below 6 × worker timeout 40 s \+ batching window 0 s = 240 s.*set visibilityTimeout to at least 240 s/,
    );
  });

  it('fails when maxReceiveCount is below 5', () => {
    expect(() => build({ queues: { emails: { maxReceiveCount: 4 } } })).toThrow(
      /queue "emails": maxReceiveCount 4 is below 5.*set maxReceiveCount to 5 or more/,
    );
  });

  it('fails synth when ReportBatchItemFailures is removed from the event source mapping', () => {
    const built = build();
    const mapping = built.jobs.workers
      .default!.node.findAll()
      .find((c) => c instanceof CfnEventSourceMapping) as CfnEventSourceMapping;
    mapping.functionResponseTypes = undefined;
    expect(() => Template.fromStack(built.stack)).toThrow(
      /queue "default": the event source mapping does not report batch item failures/,
    );
  });

  it('fails when maximum concurrency exceeds reserved concurrency', () => {
    expect(() => build({ queues: { default: { reservedConcurrency: 5, maxConcurrency: 10 } } })).toThrow(
      /queue "default": maximum concurrency 10 exceeds reserved concurrency 5.*set maxConcurrency to at most 5/,
    );
  });

  it('fails when a FIFO queue takes batches above 10', () => {
    expect(() =>
      build({ registry: twoQueuesFifoEmails(), queues: { emails: { fifo: true, batchSize: 20 } } }),
    ).toThrow(/queue "emails": batch size 20 is above 10, the most Lambda takes from a FIFO queue/);
  });

  it('fails when a FIFO queue has a batching window', () => {
    expect(() =>
      build({
        registry: twoQueuesFifoEmails(),
        queues: { emails: { fifo: true, maxBatchingWindow: Duration.seconds(5) } },
      }),
    ).toThrow(/queue "emails": batching window 5 s is set on a FIFO queue.*remove maxBatchingWindow/);
  });

  it('fails when the dead-letter queue does not keep messages longer than its source', () => {
    expect(() => build({ queueDefaults: { retentionPeriod: Duration.days(14) } })).toThrow(
      /queue "default": dead-letter retention 1209600 s is not longer than the queue's retention 1209600 s/,
    );
  });

  it('reports every problem of every queue in one error', () => {
    const attempt = () =>
      build({
        queues: {
          default: { maxReceiveCount: 1, visibilityTimeout: Duration.seconds(30) },
          emails: { deadLetterRetentionPeriod: Duration.days(1), reservedConcurrency: 2, maxConcurrency: 3 },
        },
      });
    expect(attempt).toThrow(/invalid job infrastructure \(4 problems\)/);
    expect(attempt).toThrow(
      /queue "default": visibility timeout[\s\S]*queue "default": maxReceiveCount[\s\S]*queue "emails": maximum concurrency[\s\S]*queue "emails": dead-letter retention/,
    );
  });

  it('fails when a job cannot finish inside Lambda, and points to the worker process', () => {
    const registry = registryOf({ name: 'quick' }, { name: 'rebuildIndex', queue: 'search', timeout: '20m' });
    expect(() => build({ registry })).toThrow(
      /queue "search": job "rebuildIndex" has a timeout of 1200 s, longer than a Lambda worker can run.*set queues.search.lambdaWorker to false and run the queue with the long-running worker process/,
    );
    expect(() => build({ registry, queues: { search: { lambdaWorker: false } } })).not.toThrow();
  });

  it('fails when the worker timeout is shorter than a job on its queue', () => {
    expect(() => build({ queues: { emails: { workerTimeout: Duration.seconds(60) } } })).toThrow(
      /queue "emails": worker timeout 60 s is shorter than job "sendDigest"'s timeout 120 s \+ 10 s margin/,
    );
  });

  it('fails on a registry without jobs', () => {
    expect(() => build({ registry: registryOf() })).toThrow(
      /registry: it has no jobs, so there is nothing to deploy/,
    );
  });

  it('fails on options for a queue no job uses', () => {
    expect(() => build({ queues: { emial: { batchSize: 5 } } })).toThrow(
      /queues.emial: no job runs on queue "emial" \(queues of the registry: default, emails\)/,
    );
  });
});

describe('WharfJobs lint of escape-hatch edits', () => {
  it('fails synth when the visibility timeout is lowered on the L1 queue', () => {
    const built = build();
    (built.jobs.queues.emails!.node.defaultChild as CfnQueue).visibilityTimeout = 300;
    expect(() => Template.fromStack(built.stack)).toThrow(
      /queue "emails": visibility timeout 300 s is below 6 × worker timeout 130 s/,
    );
  });

  it('fails synth when the redrive policy is removed', () => {
    const built = build();
    (built.jobs.queues.default!.node.defaultChild as CfnQueue).redrivePolicy = undefined;
    // Said as what it is: no redrive policy, not the "maxReceiveCount 0" nobody set.
    expect(() => Template.fromStack(built.stack)).toThrow(
      /queue "default": it has no redrive policy, so a message that fails every delivery/,
    );
    expect(() => Template.fromStack(built.stack)).not.toThrow(/maxReceiveCount 0/);
  });

  it('fails synth when reserved concurrency is lowered below the maximum concurrency', () => {
    const built = build();
    (built.jobs.workers.default!.node.defaultChild as CfnFunction).reservedConcurrentExecutions = 2;
    expect(() => Template.fromStack(built.stack)).toThrow(
      /queue "default": maximum concurrency 20 exceeds reserved concurrency 2/,
    );
  });

  it('synthesizes the defaults without complaint', () => {
    expect(() => lintedTemplate(build().stack)).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { FIFO_RECEIVE_MARGIN } from '../../src/cdk/fifo-checks';
import { build, logicalId, registryOf, templateOf, twoQueuesFifoEmails } from './fixtures';

describe('WharfJobs FIFO queues at synth', () => {
  it('deploys a FIFO queue whose jobs all declare a group, with a FIFO dead-letter queue', () => {
    const built = build({ registry: twoQueuesFifoEmails(), queues: { emails: { fifo: true } } });
    const resources = templateOf(built).toJSON().Resources;
    const queue = resources[logicalId(built, built.jobs.queues.emails!)].Properties;
    expect(queue.FifoQueue).toBe(true);
    expect(resources[logicalId(built, built.jobs.deadLetterQueues.emails!)].Properties.FifoQueue).toBe(true);
    // Every send carries its own deduplication id: the queue needs no content-based deduplication.
    expect(queue.ContentBasedDeduplication).toBeUndefined();
  });

  it('refuses a job without a group on a FIFO queue, naming the job and the fix', () => {
    expect(() => build({ queues: { emails: { fifo: true } } })).toThrow(
      /job "sendWelcome": its queue "emails" is a FIFO queue, where every message needs a message group: give the job `group: \(payload\) => \.\.\.`/,
    );
  });

  it('refuses a job with a group on a standard queue, saying to make the queue FIFO', () => {
    expect(() => build({ registry: twoQueuesFifoEmails() })).toThrow(
      /job "sendWelcome": it declares a FIFO `group`, but its queue "emails" is a standard queue.*set queues\.emails\.fifo to true/,
    );
  });

  it('reports every such job at once', () => {
    const error = (() => {
      try {
        build({ queues: { emails: { fifo: true } } });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/job "sendWelcome"/);
    expect(error?.message).toMatch(/job "sendDigest"/);
  });

  it('refuses a FIFO queue whose maxReceiveCount would let SQS dead-letter a job before its last attempt', () => {
    // The fixtures' jobs keep the default of 5 attempts.
    const needed = 5 + FIFO_RECEIVE_MARGIN;
    expect(() =>
      build({
        registry: twoQueuesFifoEmails(),
        queues: { emails: { fifo: true, maxReceiveCount: needed - 1 } },
      }),
    ).toThrow(
      new RegExp(
        `queue "emails": maxReceiveCount ${needed - 1} is too low for a FIFO queue whose jobs retry up to 5 attempts.*Set maxReceiveCount to at least ${needed}`,
      ),
    );
    expect(() =>
      build({ registry: twoQueuesFifoEmails(), queues: { emails: { fifo: true, maxReceiveCount: needed } } }),
    ).not.toThrow();
  });

  it('takes the largest attempts of the jobs on the queue', () => {
    const registry = registryOf({ name: 'one', queue: 'ordered', grouped: true });
    expect(() => build({ registry, queues: { ordered: { fifo: true, maxReceiveCount: 9 } } })).toThrow(
      /maxReceiveCount 9 is too low.*at least 10/,
    );
  });
});

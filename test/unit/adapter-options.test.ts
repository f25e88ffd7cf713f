import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import type { Engine } from '../../src/engine/types';
import { InvalidOptionsError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createLambdaHandler, processBatch } from '../../src/lambda/index';
import { createManualClock } from '../../src/local/manual-clock';
import { createMemoryTransport } from '../../src/transport/memory';
import { createWorker } from '../../src/worker/index';
import { fakeContext } from '../helpers/esm';

const job = defineJob({ name: 'j', schema: z.object({}), idempotency: 'off', perform: () => undefined });
const registry = createRegistry([job]);
const clock = createManualClock();
const transport = createMemoryTransport({ clock });

const record = (id: string): SQSRecord => ({
  messageId: id,
  receiptHandle: `rh-${id}`,
  body: '{}',
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'test',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:default',
  awsRegion: 'us-east-1',
});

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createLambdaHandler options', () => {
  it.each([Number.NaN, 0, -1, 2.5, Number.POSITIVE_INFINITY])(
    'refuses a concurrency of %s at start-up',
    (concurrency) => {
      const error = thrownBy(() =>
        createLambdaHandler({ registry, queue: 'default', transport, concurrency }),
      );
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).problems).toEqual([
        `concurrency: a whole number from 1 to 1000, received ${concurrency}`,
      ]);
    },
  );

  it('accepts a concurrency of 1', async () => {
    const handler = createLambdaHandler({ registry, queue: 'default', transport, concurrency: 1 });
    await expect(handler({ Records: [] }, fakeContext(60_000))).resolves.toEqual({ batchItemFailures: [] });
  });
});

describe('processBatch', () => {
  const ackAll: Engine = { process: async () => ({ action: 'ack', outcome: 'succeeded' }) };

  it('never answers "all done" for records it did not run: a bad concurrency throws, so Lambda retries the batch', async () => {
    const seen: string[] = [];
    const engine: Engine = {
      process: async (message) => {
        seen.push(message.messageId);
        return { action: 'ack', outcome: 'succeeded' };
      },
    };
    await expect(
      processBatch(engine, [record('a'), record('b')], { queue: 'default', concurrency: Number.NaN }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(seen).toEqual([]);
  });

  it('runs every record with a valid concurrency', async () => {
    const records = ['a', 'b', 'c'].map(record);
    await expect(processBatch(ackAll, records, { queue: 'default', concurrency: 2 })).resolves.toEqual({
      batchItemFailures: [],
    });
  });
});

describe('createWorker options', () => {
  const base = { registry, transport, consumer: transport, clock };

  it('reports every out-of-range option at once', () => {
    const error = thrownBy(() =>
      createWorker({
        ...base,
        concurrency: Number.NaN,
        waitTimeSeconds: 30,
        visibilityTimeoutSeconds: 0,
        releaseDelaySeconds: -1,
      }),
    );
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).problems).toEqual([
      'concurrency: a whole number from 1 to 1000, received NaN',
      'waitTimeSeconds: a whole number from 0 to 20, received 30',
      'visibilityTimeoutSeconds: a whole number from 1 to 43200, received 0',
      'releaseDelaySeconds: a whole number from 0 to 43200, received -1',
    ]);
  });

  it('accepts its defaults', () => {
    expect(() => createWorker(base)).not.toThrow();
  });
});

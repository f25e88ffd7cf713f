import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { deadLetterUrlVariable, queueUrlVariable } from '../../src/config/env-config';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLambdaWorkerFromEnv } from '../../src/lambda/index';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import { createSqsTransport } from '../../src/transport/sqs/index';
import { dynamoClient, motoEndpoint, sqsClient, uniqueName } from '../helpers/aws';
import { emfDocuments, emfProblems, sumsByJob, valueCountsByJob } from '../helpers/emf-spec';
import { pollOnce } from '../helpers/esm';
import { createQueuePair, drainQueue, type QueuePair } from '../helpers/queues';

// The Lambda worker as functions/worker.ts builds it (createLambdaWorkerFromEnv: its default Powertools Logger and
// its EMF metrics) on moto's SQS and DynamoDB, fed as the event source mapping would feed it, with the process's
// stdout captured: what CloudWatch Logs would receive from the function. moto runs no Lambda code and does not
// turn EMF lines into metrics, so the test reads the lines themselves, which is what CloudWatch reads too.

const okJob = defineJob({
  name: 'obs-ok',
  schema: z.object({ n: z.number() }),
  // exactly-once: the mode that recognises a delivery of a job that already succeeded as a duplicate.
  idempotency: 'exactly-once',
  perform: ({ n }, ctx) => {
    ctx.logger.info('greeting', { n });
    return { n };
  },
});
const flakyJob = defineJob({
  name: 'obs-flaky',
  schema: z.object({ n: z.number() }),
  idempotency: 'tracked',
  retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '1s' } },
  perform: (_payload, ctx) => {
    if (ctx.attempt === 1) throw new Error('first attempt fails');
  },
});
const doomedJob = defineJob({
  name: 'obs-doomed',
  schema: z.object({ n: z.number() }),
  idempotency: 'tracked',
  retry: { attempts: 1 },
  perform: () => {
    throw new Error('always fails');
  },
});
const discardJob = defineJob({
  name: 'obs-discard',
  schema: z.object({ n: z.number() }),
  perform: (_payload, ctx) => ctx.discard('not wanted'),
});
const registry = createRegistry([okJob, flakyJob, doomedJob, discardJob]);

const savedEndpoint = process.env.AWS_ENDPOINT_URL;
let queue: QueuePair;
let tableName: string;
let output = '';
/** The EMF documents of each invocation, in order. */
const perInvocation: ReturnType<typeof emfDocuments>[] = [];

beforeAll(async () => {
  process.env.AWS_ENDPOINT_URL = motoEndpoint();
  const sqs = sqsClient();
  queue = await createQueuePair(sqs, { visibilityTimeoutSeconds: 10 });
  tableName = uniqueName('wharf-observe');
  await createJobTable(dynamoClient(), tableName);
  const transport = createSqsTransport({
    client: sqs,
    queues: { default: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } },
  });
  const store = createDynamoJobStore({ client: dynamoClient(), tableName });
  const client = createClient({ transport, store });
  for (let n = 0; n < 6; n++) await client.enqueue(okJob.with({ n }));
  await client.enqueue(okJob.with({ n: 100 }, { jobId: 'obs-dup' }));
  for (let n = 0; n < 3; n++) await client.enqueue(flakyJob.with({ n }));
  for (let n = 0; n < 2; n++) await client.enqueue(doomedJob.with({ n }));
  await client.enqueue(discardJob.with({ n: 0 }));

  const handler = createLambdaWorkerFromEnv({
    registry,
    env: {
      ...process.env,
      WHARF_QUEUE: 'default',
      WHARF_TABLE_NAME: tableName,
      [queueUrlVariable('default')]: queue.url,
      [deadLetterUrlVariable('default')]: queue.deadLetterUrl,
    },
  });
  // Lambda sends both streams to the function's log group (Powertools writes WARN and ERROR to stderr).
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams)
    stream.write = ((chunk: string | Uint8Array) => {
      output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof stream.write;
  try {
    const invoke = async (event: SQSEvent, context: Context) => {
      const from = output.length;
      try {
        return await handler(event, context);
      } finally {
        perInvocation.push(emfDocuments(output.slice(from)));
      }
    };
    const target = { sqs, queueUrl: queue.url, queueArn: queue.arn, handler: invoke, waitTimeSeconds: 1 };
    await drainQueue(sqs, queue.url, () => pollOnce(target), 30_000);
    // The same job enqueued again once it has succeeded: its delivery is a duplicate, not a run.
    await client.enqueue(okJob.with({ n: 100 }, { jobId: 'obs-dup' }));
    await drainQueue(sqs, queue.url, () => pollOnce(target), 30_000);
  } finally {
    streams.forEach((stream, i) => {
      stream.write = writes[i]!;
    });
  }
}, 60_000);

afterAll(() => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
});

const jsonLines = () =>
  output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('EMF metrics from the Lambda worker (moto)', () => {
  it('writes only documents that meet the EMF specification, with the JobName and Queue dimensions', () => {
    const docs = emfDocuments(output);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      expect(emfProblems(doc)).toEqual([]);
      expect(doc._aws.CloudWatchMetrics).toHaveLength(1);
      expect(doc._aws.CloudWatchMetrics[0]!.Namespace).toBe('Wharf');
      expect(doc._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['JobName', 'Queue']]);
      expect(doc.Queue).toBe('default');
      for (const metric of doc._aws.CloudWatchMetrics[0]!.Metrics)
        expect(metric.Unit).toBe(['Duration', 'Latency'].includes(metric.Name) ? 'Milliseconds' : 'Count');
    }
  });

  it('counts every outcome as it ran, per job type', () => {
    const docs = emfDocuments(output);
    expect(sumsByJob(docs, 'Succeeded')).toEqual({ 'obs-ok': 7, 'obs-flaky': 3 });
    expect(sumsByJob(docs, 'Retried')).toEqual({ 'obs-flaky': 3 });
    expect(sumsByJob(docs, 'DeadLettered')).toEqual({ 'obs-doomed': 2 });
    expect(sumsByJob(docs, 'Discarded')).toEqual({ 'obs-discard': 1 });
    expect(sumsByJob(docs, 'Duplicate')).toEqual({ 'obs-ok': 1 });
    // One Duration and one Latency value per run that started: 7 + 6 (3 jobs x 2 attempts) + 2 + 1.
    expect(valueCountsByJob(docs, 'Duration')).toEqual({
      'obs-ok': 7,
      'obs-flaky': 6,
      'obs-doomed': 2,
      'obs-discard': 1,
    });
    expect(valueCountsByJob(docs, 'Latency')).toEqual(valueCountsByJob(docs, 'Duration'));
    // The attempt each job ended on: obs-flaky's on its second.
    const attempts = docs.filter((d) => d.JobName === 'obs-flaky' && d.Attempts !== undefined);
    expect(attempts.flatMap((d) => d.Attempts as number | number[])).toEqual([2, 2, 2]);
  });

  it('flushes once per batch: at most one document per job type per invocation', () => {
    // A job type's numbers of one invocation are one line, whatever the batch size; nothing is left for later.
    expect(perInvocation.length).toBeGreaterThan(1);
    for (const docs of perInvocation) {
      const jobs = docs.map((d) => d.JobName);
      expect(new Set(jobs).size).toBe(jobs.length);
    }
    expect(perInvocation.flat()).toEqual(emfDocuments(output));
    const docs = emfDocuments(output);
    const bytes = docs.reduce((sum, d) => sum + JSON.stringify(d).length + 1, 0);
    const runs = 7 + 6 + 2 + 1 + 1;
    // Reported in the note: the log bytes metrics add per run on this mix.
    process.stderr.write(
      `EMF: ${docs.length} documents, ${bytes} bytes for ${runs} deliveries (${Math.round(bytes / runs)} B each)\n`,
    );
  });
});

describe('log lines of the Lambda worker (moto)', () => {
  it("stamps ctx.logger's lines with the job's name, id, attempt and queue", () => {
    const greetings = jsonLines().filter((l) => l.message === 'greeting');
    expect(greetings).toHaveLength(7);
    for (const line of greetings) {
      expect(line).toMatchObject({ level: 'INFO', jobName: 'obs-ok', attempt: 1, queue: 'default' });
      expect(typeof line.jobId).toBe('string');
      expect(typeof line.n).toBe('number');
    }
    expect(greetings.map((l) => l.jobId)).toContain('obs-dup');
  });

  it('writes one structured lifecycle line per event through the same logger', () => {
    const lines = jsonLines().filter((l) => typeof l.wharf === 'string');
    const about = (jobName: string, wharf: string) =>
      lines.filter((l) => l.jobName === jobName && l.wharf === wharf);
    expect(about('obs-ok', 'started')).toHaveLength(7);
    expect(about('obs-ok', 'succeeded')).toHaveLength(7);
    expect(about('obs-ok', 'duplicate')).toHaveLength(1);
    const retries = about('obs-flaky', 'retrying');
    expect(retries).toHaveLength(3);
    for (const line of retries) {
      expect(line).toMatchObject({ level: 'WARN', attempt: 1, delayMs: 1000 });
      expect(line.message).toMatch(/^job failed, retrying in 1 s: first attempt fails$/);
    }
    const dead = about('obs-doomed', 'dead');
    expect(dead).toHaveLength(2);
    for (const line of dead) expect(line).toMatchObject({ level: 'ERROR', reason: 'retries-exhausted' });
    expect(about('obs-discard', 'discarded')).toHaveLength(1);
    // Reported in the note: what the lifecycle lines of a job that succeeds cost in log bytes at INFO.
    const okBytes = output
      .split('\n')
      .filter((l) => l.includes('"jobName":"obs-ok"') && /"wharf":"(started|succeeded)"/.test(l))
      .reduce((sum, l) => sum + l.length + 1, 0);
    process.stderr.write(`lifecycle lines at INFO: ${Math.round(okBytes / 7)} bytes per succeeded job\n`);
    // Every line of a job carries its id, so one search by id finds the job's lines and the engine's.
    for (const line of lines) if (line.jobName !== undefined) expect(typeof line.jobId).toBe('string');
  });
});

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { resolve } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { deadLetterUrlVariable, queueUrlVariable } from '../../src/config/env-config';
import { defineJob } from '../../src/define-job';
import { createSqsTransport } from '../../src/transport/sqs/index';
import { motoEndpoint, sqsClient, uniqueName } from '../helpers/aws';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/traced-lambda-main.ts');
const LOCAL_FIXTURE = resolve(import.meta.dirname, '../fixtures/traced-local-main.ts');

/**
 * Runs a fixture as Lambda runs a function: LAMBDA_TASK_ROOT and the invocation's _X_AMZN_TRACE_ID set before the
 * X-Ray SDK loads, segment documents sent to `daemonPort`. Resolves with its last stdout line, parsed.
 */
async function runAsLambda(
  fixture: string,
  invocationHeader: string,
  daemonPort: number,
  env: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: {
      ...process.env,
      ...env,
      LAMBDA_TASK_ROOT: '/var/task',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'wharf-traced-worker',
      _X_AMZN_TRACE_ID: invocationHeader,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemonPort}`,
      AWS_XRAY_LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

// The producer's view of the fixture's jobs: same names and schemas, never performed here.
const tracedOk = defineJob({
  name: 'traced-ok',
  schema: z.object({ n: z.number().int() }),
  perform: () => 0,
});
const tracedFails = defineJob({
  name: 'traced-fails',
  schema: z.object({ n: z.number().int() }),
  perform: () => 0,
});
const tracedDead = defineJob({
  name: 'traced-dead',
  schema: z.object({ n: z.number().int() }),
  perform: () => 0,
});

/** The entries of every SendMessageBatch the client makes, as the SDK is about to send them. */
function recordBatchEntries(sqs: SQSClient): SendMessageBatchRequestEntry[] {
  const entries: SendMessageBatchRequestEntry[] = [];
  sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand')
        entries.push(...((args.input as SendMessageBatchCommandInput).Entries ?? []));
      return next(args);
    },
    { step: 'initialize', name: 'wharfTestBatchEntries' },
  );
  return entries;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** An X-Ray trace header as a producer's instrumented request would carry it. */
function traceHeader(): { header: string; root: string; parent: string } {
  const root = `1-${hex(4)}-${hex(12)}`;
  const parent = hex(8);
  return { header: `Root=${root};Parent=${parent};Sampled=1`, root, parent };
}

interface SegmentDocument {
  readonly type?: string;
  readonly name: string;
  readonly id: string;
  readonly trace_id: string;
  readonly parent_id?: string;
  readonly fault?: boolean;
  readonly in_progress?: boolean;
  readonly annotations?: Record<string, unknown>;
  readonly metadata?: Record<string, Record<string, unknown>>;
  readonly cause?: { readonly exceptions?: readonly { readonly message?: string; readonly type?: string }[] };
}

/** Plays the X-Ray daemon: every UDP packet is a header line then one segment document. */
async function fakeDaemon(): Promise<{ socket: Socket; port: number; documents: SegmentDocument[] }> {
  const socket = createSocket('udp4');
  const documents: SegmentDocument[] = [];
  socket.on('message', (packet) => {
    const text = packet.toString('utf8');
    const newline = text.indexOf('\n');
    expect(JSON.parse(text.slice(0, newline))).toEqual({ format: 'json', version: 1 });
    documents.push(JSON.parse(text.slice(newline + 1)) as SegmentDocument);
  });
  await new Promise<void>((done) => socket.bind(0, '127.0.0.1', done));
  return { socket, port: socket.address().port, documents };
}

async function receiveAll(sqs: SQSClient, queueUrl: string, visibilityTimeout: number): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibilityTimeout,
      MessageSystemAttributeNames: ['AWSTraceHeader'],
    }),
  );
  return Messages ?? [];
}

describe('traces (moto, and a real Powertools Tracer in a "Lambda" child process)', () => {
  let sqs: SQSClient;
  let queueUrl: string;
  let queueArn: string;
  let deadLetterUrl: string;
  let daemon: Awaited<ReturnType<typeof fakeDaemon>>;

  beforeEach(async () => {
    sqs = sqsClient();
    const name = uniqueName('traces');
    deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    queueArn = Attributes!.QueueArn!;
    daemon = await fakeDaemon();
  });

  afterEach(() => {
    daemon.socket.close();
    sqs.destroy();
  });

  it("carries the producer's trace in the message, and the job's span names it", async () => {
    const producer = traceHeader();
    const entries = recordBatchEntries(sqs);
    const client = createClient({
      transport: createSqsTransport({ client: sqs, queues: { default: { url: queueUrl, deadLetterUrl } } }),
      traceHeader: () => producer.header,
    });
    const ok = await client.enqueue(tracedOk.with({ n: 1 }));
    const fails = await client.enqueue(tracedFails.with({ n: 2 }));
    const dead = await client.enqueue(tracedDead.with({ n: 3 }));

    // Each entry asks SQS to keep the header as the AWSTraceHeader system attribute. moto's SendMessageBatch
    // drops MessageSystemAttributes (a moto gap: its send_message_batch never passes them on; its SendMessage
    // keeps them, as the dead letter below shows), so the request is checked here and the envelope on receipt.
    expect(entries.map((e) => e.MessageSystemAttributes?.AWSTraceHeader)).toEqual(
      [1, 2, 3].map(() => ({ DataType: 'String', StringValue: producer.header })),
    );
    const sent = await receiveAll(sqs, queueUrl, 0);
    expect(sent).toHaveLength(3);
    for (const message of sent) expect(JSON.parse(message.Body!).trace).toBe(producer.header);

    // The invocation's own trace, as Lambda sets it for the function (another trace than the producer's).
    const invocation = traceHeader();
    const done = (await runAsLambda(FIXTURE, invocation.header, daemon.port, {
      WHARF_TEST_ENDPOINT: motoEndpoint(),
      [queueUrlVariable('default')]: queueUrl,
      [deadLetterUrlVariable('default')]: deadLetterUrl,
      TRACE_QUEUE_ARN: queueArn,
      TRACE_RECORDS: '3',
    })) as unknown as {
      tracingEnabled: boolean;
      records: { attributes: Record<string, string> }[];
      responses: { batchItemFailures: unknown[] }[];
    };
    expect(done.tracingEnabled).toBe(true);
    expect(done.records).toHaveLength(3);
    // The failing job's retry and the dead letter were sent, so no record is reported failed.
    expect(done.responses.flatMap((r) => r.batchItemFailures)).toEqual([]);

    // The UDP packets were sent before the child exited; they are read here once the event loop turns.
    await until(() => spans(daemon.documents).length >= 3, 'three job spans');
    const [okSpan] = spans(daemon.documents).filter((d) => d.name === '## traced-ok');
    const [failSpan] = spans(daemon.documents).filter((d) => d.name === '## traced-fails');
    for (const [span, jobId, outcome] of [
      [okSpan, ok.jobId, 'succeeded'],
      [failSpan, fails.jobId, 'retrying'],
    ] as const) {
      expect(span).toBeDefined();
      // A subsegment of the invocation's facade segment, in the invocation's trace.
      expect(span!.type).toBe('subsegment');
      expect(span!.trace_id).toBe(invocation.root);
      expect(span!.parent_id).toBe(invocation.parent);
      expect(span!.in_progress).toBeUndefined();
      expect(span!.annotations).toMatchObject({
        JobName: span === okSpan ? 'traced-ok' : 'traced-fails',
        JobId: jobId,
        Queue: 'default',
        Attempt: 1,
        ProducerTraceId: producer.root,
        Outcome: outcome,
      });
      expect(span!.metadata?.wharf?.producerTraceHeader).toBe(producer.header);
    }
    expect(okSpan!.fault).toBeUndefined();
    expect(failSpan!.fault).toBe(true);
    expect(failSpan!.cause?.exceptions?.[0]).toMatchObject({
      message: 'the downstream said no',
      type: 'Error',
    });

    // The retry is a copy of the envelope: it keeps the producer's trace, in the body and as the attribute.
    let retry: Message | undefined;
    await until(async () => {
      retry = (await receiveAll(sqs, queueUrl, 30)).find((m) => JSON.parse(m.Body!).attempt === 2);
      return retry !== undefined;
    }, "the failing job's retry");
    expect(JSON.parse(retry!.Body!)).toMatchObject({ id: fails.jobId, trace: producer.header });

    // The dead letter (one SendMessage, which moto keeps system attributes of) carries it as AWSTraceHeader.
    const [deadLetter] = await receiveAll(sqs, deadLetterUrl, 30);
    expect(JSON.parse(deadLetter!.Body!)).toMatchObject({ id: dead.jobId, trace: producer.header });
    expect(deadLetter!.Attributes?.AWSTraceHeader).toBe(producer.header);
    const [deadSpan] = spans(daemon.documents).filter((d) => d.name === '## traced-dead');
    expect(deadSpan!.annotations).toMatchObject({
      JobId: dead.jobId,
      Outcome: 'dead',
      ProducerTraceId: producer.root,
    });
  }, 60_000);

  it("on the embedded engine, a job enqueued in a Lambda carries the invocation's trace, and its span names it", async () => {
    const invocation = traceHeader();
    const done = (await runAsLambda(LOCAL_FIXTURE, invocation.header, daemon.port)) as {
      jobId: string;
      summary: { byOutcome: { succeeded?: number } };
      header: string;
      producerSpanId: string;
    };
    expect(done.summary.byOutcome.succeeded).toBe(1);
    await until(() => daemon.documents.some((d) => d.name === '## local-traced'), 'the job span');
    const span = daemon.documents.find((d) => d.name === '## local-traced')!;
    expect(span.trace_id).toBe(invocation.root);
    expect(span.annotations).toMatchObject({
      JobName: 'local-traced',
      JobId: done.jobId,
      Attempt: 1,
      ProducerTraceId: invocation.root,
      Outcome: 'succeeded',
    });
    expect(span.metadata?.wharf?.producerTraceHeader).toBe(invocation.header);
    // traceHeaderFrom(tracer): the header of the producer's current subsegment, in the invocation's trace.
    expect(done.header).toBe(`Root=${invocation.root};Parent=${done.producerSpanId};Sampled=1`);
  }, 60_000);
});

function spans(documents: readonly SegmentDocument[]): SegmentDocument[] {
  return documents.filter((d) => d.name.startsWith('## traced-'));
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

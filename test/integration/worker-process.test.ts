import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createClient } from '../../src/client/client';
import { deadLetterUrlVariable, queueUrlVariable } from '../../src/config/env-config';
import { defineJob } from '../../src/define-job';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import type { JobStore } from '../../src/store/types';
import { createSqsTransport } from '../../src/transport/sqs/index';
import { dynamoClient, motoEndpoint, sqsClient, uniqueName } from '../helpers/aws';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/worker-main.ts');

// The producer's view of the fixture's job: same name and schema, never performed here.
const sleepy = defineJob({
  name: 'sleepy',
  schema: z.object({ n: z.number().int(), sleepMs: z.number().int().min(0), key: z.string().optional() }),
  perform: () => undefined,
});

const threeSteps = defineJob({
  name: 'three-steps',
  schema: z.object({ n: z.number().int(), pauseAfterTwoMs: z.number().int().min(0) }),
  idempotency: 'exactly-once',
  perform: () => undefined,
});

interface Effect {
  readonly type: 'start' | 'done' | 'step' | 'after-two';
  readonly step?: string;
  readonly n: number;
  readonly attempt: number;
  readonly jobId: string;
  readonly pid: number;
  readonly key?: string;
  readonly atMs: number;
}

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  stderr(): string;
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the worker process (a real child process on moto)', () => {
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;
  let store: JobStore;
  let queueUrl: string;
  let deadLetterUrl: string;
  let tableName: string;
  let dir: string;
  let effectsFile: string;
  const workers: WorkerProcess[] = [];

  beforeEach(async () => {
    sqs = sqsClient();
    dynamodb = dynamoClient();
    const name = uniqueName('worker');
    deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl!;
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: deadLetterUrl, AttributeNames: ['QueueArn'] }),
    );
    queueUrl = (
      await sqs.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 5 }),
          },
        }),
      )
    ).QueueUrl!;
    tableName = uniqueName('wharf-worker');
    await createJobTable(dynamodb, tableName);
    store = createDynamoJobStore({ client: dynamodb, tableName });
    dir = mkdtempSync(join(tmpdir(), 'wharf-worker-'));
    effectsFile = join(dir, 'effects.jsonl');
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    sqs.destroy();
    dynamodb.destroy();
  });

  function startWorker(settings: Record<string, string>): WorkerProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      env: {
        ...process.env,
        WHARF_TEST_ENDPOINT: motoEndpoint(),
        [queueUrlVariable('default')]: queueUrl,
        [deadLetterUrlVariable('default')]: deadLetterUrl,
        WHARF_TABLE_NAME: tableName,
        WORKER_EFFECTS_FILE: effectsFile,
        ...settings,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) if (line.trim()) lines.push(JSON.parse(line));
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal, atMs: Date.now() })),
    );
    const worker = { child, lines, exited, stderr: () => stderr };
    workers.push(worker);
    return worker;
  }

  async function ready(worker: WorkerProcess): Promise<void> {
    await until(
      () => worker.lines.some((l) => l.type === 'ready') || worker.child.exitCode !== null,
      'the worker to start',
    );
    if (worker.child.exitCode !== null) throw new Error(`worker exited early: ${worker.stderr()}`);
  }

  const effects = (): Effect[] => {
    try {
      return readFileSync(effectsFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Effect);
    } catch {
      return [];
    }
  };
  const done = () => effects().filter((e) => e.type === 'done');
  const eventTypes = (worker: WorkerProcess) =>
    worker.lines.filter((l) => l.type === 'event').map((l) => (l.event as { type: string }).type);

  async function enqueue(jobs: { n: number; sleepMs: number; key?: string }[]) {
    const client = createClient({
      transport: createSqsTransport({ client: sqs, queues: { default: { url: queueUrl, deadLetterUrl } } }),
    });
    const result = await client.enqueueMany(jobs.map((job) => sleepy.with(job, { jobId: `job-${job.n}` })));
    expect(result.failed).toEqual([]);
    return result.enqueued.map((e) => e.jobId);
  }

  /** Job ids of every message on the queue, waiting for in-flight ones to come back; they are left visible. */
  async function jobIdsOnQueue(expected: number, timeoutMs = 20_000): Promise<string[]> {
    const found = new Map<string, string>();
    const deadline = Date.now() + timeoutMs;
    while (found.size < expected && Date.now() < deadline) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
          WaitTimeSeconds: 1,
        }),
      );
      for (const m of Messages) found.set(m.ReceiptHandle!, JSON.parse(m.Body!).id);
    }
    const handles = [...found.keys()];
    for (let i = 0; i < handles.length; i += 10) {
      const result = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: handles
            .slice(i, i + 10)
            .map((ReceiptHandle, k) => ({ Id: String(k), ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
      expect(result.Failed ?? []).toEqual([]);
    }
    return [...found.values()];
  }

  async function queueIsEmpty(): Promise<boolean> {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible) +
        Number(Attributes.ApproximateNumberOfMessagesDelayed) ===
      0
    );
  }

  it('drains a queue under its concurrency limit, stops cleanly on SIGTERM without losing a job, and a second worker finishes the rest exactly once', async () => {
    const graceMs = 5_000;
    const jobs = Array.from({ length: 30 }, (_, n) => ({ n, sleepMs: n % 3 === 0 ? 1_500 : 300 }));
    const ids = await enqueue(jobs);
    const settings = {
      WORKER_IDEMPOTENCY: 'exactly-once',
      WORKER_CONCURRENCY: '4',
      WORKER_VISIBILITY_SECONDS: '4',
      WORKER_GRACE_MS: String(graceMs),
    };
    const first = startWorker(settings);
    await ready(first);
    await until(() => done().length >= 8, 'the first worker to finish some jobs');

    const signalledAtMs = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(exit.atMs - signalledAtMs).toBeLessThan(graceMs);
    expect(first.lines.map((l) => l.type)).toContain('stopped');

    // Nothing lost: each job has succeeded, or its message is on the queue again.
    const finished: string[] = [];
    for (const id of ids) if ((await store.get(id, Date.now()))?.status === 'succeeded') finished.push(id);
    expect(finished.length).toBeGreaterThanOrEqual(8);
    expect(finished.length).toBeLessThan(30);
    const waiting = ids.filter((id) => !finished.includes(id));
    const onQueue = await jobIdsOnQueue(waiting.length);
    expect(waiting.filter((id) => !onQueue.includes(id))).toEqual([]);
    // Every job the first worker started, it finished within the grace: none was cut short.
    const firstPid = first.child.pid;
    const startedByFirst = effects().filter((e) => e.type === 'start' && e.pid === firstPid);
    const doneByFirst = effects().filter((e) => e.type === 'done' && e.pid === firstPid);
    expect(doneByFirst.map((e) => e.n).sort()).toEqual(startedByFirst.map((e) => e.n).sort());

    const second = startWorker(settings);
    await ready(second);
    await until(() => new Set(done().map((e) => e.n)).size === 30, 'every job to be done', 60_000);
    await until(
      () => eventTypes(second).filter((t) => t === 'succeeded' || t === 'duplicate').length >= onQueue.length,
      'the second worker to ack what it took',
    );
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);

    // One effect per job, each run once, and every job succeeded in the table.
    expect(
      done()
        .map((e) => e.n)
        .sort((a, b) => a - b),
    ).toEqual(jobs.map((j) => j.n));
    expect(effects().filter((e) => e.type === 'start')).toHaveLength(30);
    // No message of a finished job came back: each was deleted before its visibility timeout ran out.
    expect([...eventTypes(first), ...eventTypes(second)]).not.toContain('duplicate');
    for (const id of ids)
      expect(await store.get(id, Date.now())).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(await queueIsEmpty()).toBe(true);

    // The concurrency limit held in each process: at most 4 jobs between a start and its done.
    for (const pid of [first.child.pid, second.child.pid]) {
      let running = 0;
      let most = 0;
      for (const e of effects().filter((x) => x.pid === pid)) {
        running += e.type === 'start' ? 1 : -1;
        most = Math.max(most, running);
      }
      expect(most).toBeLessThanOrEqual(4);
      expect(most).toBeGreaterThan(1);
    }
  }, 120_000);

  it('abandons a job still running when the grace runs out: its lease is given back and the next worker runs it as the same attempt', async () => {
    const [id] = await enqueue([{ n: 1, sleepMs: 4_000 }]);
    const settings = {
      WORKER_IDEMPOTENCY: 'exactly-once',
      WORKER_CONCURRENCY: '2',
      WORKER_VISIBILITY_SECONDS: '10',
      WORKER_GRACE_MS: '300',
      WORKER_JOB_TIMEOUT: '5s',
      WORKER_LEASE_MARGIN: '1s',
    };
    const first = startWorker(settings);
    await ready(first);
    await until(() => effects().some((e) => e.type === 'start'), 'the job to start');
    const signalledAtMs = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(exit.atMs - signalledAtMs).toBeLessThan(4_000);
    expect(done()).toEqual([]);
    // Released, not lost: the message is visible again at once, not after the visibility timeout.
    expect(await jobIdsOnQueue(1, 3_000)).toEqual([id]);

    const second = startWorker(settings);
    await ready(second);
    await until(() => done().length === 1, 'the job to be done by the second worker', 40_000);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(done()).toEqual([expect.objectContaining({ n: 1, pid: second.child.pid })]);
    // Abandoned at shutdown, the run used no attempt, and its lease was given back rather than left to lapse.
    expect(await store.get(id!, Date.now())).toMatchObject({ status: 'succeeded', attempt: 1, fence: 2 });
  }, 90_000);

  it('keeps a job longer than its visibility timeout from being delivered twice (heartbeats)', async () => {
    const [id] = await enqueue([{ n: 7, sleepMs: 5_000 }]);
    const worker = startWorker({
      WORKER_IDEMPOTENCY: 'tracked',
      WORKER_CONCURRENCY: '4',
      WORKER_VISIBILITY_SECONDS: '2',
      WORKER_GRACE_MS: '10000',
    });
    await ready(worker);
    await until(() => done().length === 1, 'the long job to finish', 30_000);
    // Give a redelivery every chance to show up: the worker keeps polling for two more visibility periods.
    await new Promise((r) => setTimeout(r, 4_500));
    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
    expect(effects().filter((e) => e.type === 'start')).toHaveLength(1);
    expect(eventTypes(worker).filter((t) => t === 'started')).toHaveLength(1);
    expect(await store.get(id!, Date.now())).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(await queueIsEmpty()).toBe(true);
  }, 60_000);

  /** The most runs of each key between a start and its done, across every process, by the effects' times. */
  function peakPerKey(pids?: readonly (number | undefined)[]): Map<string, number> {
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    const mine = effects().filter((e) => pids === undefined || pids.includes(e.pid));
    const ordered = mine.sort((a, b) => a.atMs - b.atMs || (a.type === 'done' ? -1 : 1));
    for (const e of ordered) {
      const key = e.key ?? 'none';
      const now = (running.get(key) ?? 0) + (e.type === 'start' ? 1 : -1);
      running.set(key, now);
      peak.set(key, Math.max(peak.get(key) ?? 0, now));
    }
    return peak;
  }

  it('holds a per-key concurrency limit across two worker processes while the keys run side by side', async () => {
    const jobs = Array.from({ length: 20 }, (_, n) => ({ n, sleepMs: 400, key: n % 2 ? 'b' : 'a' }));
    await enqueue(jobs);
    const settings = {
      WORKER_IDEMPOTENCY: 'tracked',
      WORKER_CONCURRENCY: '4',
      WORKER_VISIBILITY_SECONDS: '10',
      WORKER_KEY_LIMIT: '2',
    };
    const [first, second] = [startWorker(settings), startWorker(settings)];
    await Promise.all([ready(first!), ready(second!)]);
    await until(() => new Set(done().map((e) => e.n)).size === 20, 'every job to be done', 90_000);
    for (const w of [first!, second!]) w.child.kill('SIGTERM');
    await Promise.all([first!.exited, second!.exited]);
    expect(peakPerKey()).toEqual(
      new Map([
        ['a', 2],
        ['b', 2],
      ]),
    );
    // Both processes ran jobs, each job once, as its first attempt: a deferral uses none.
    expect(new Set(effects().map((e) => e.pid)).size).toBe(2);
    expect(effects().filter((e) => e.type === 'start')).toHaveLength(20);
    expect(effects().every((e) => e.attempt === 1)).toBe(true);
    const held = [...eventTypes(first!), ...eventTypes(second!)].filter((t) => t === 'deferred');
    expect(held.length).toBeGreaterThan(0);
  }, 120_000);

  it("frees the slot of a worker killed while it held one once the slot's lease ends", async () => {
    const leaseMs = 4_000; // the job's timeout 3s + the lease margin 1s
    const settings = {
      WORKER_IDEMPOTENCY: 'exactly-once',
      WORKER_CONCURRENCY: '2',
      WORKER_VISIBILITY_SECONDS: '2',
      WORKER_JOB_TIMEOUT: '3s',
      WORKER_LEASE_MARGIN: '1s',
      WORKER_KEY_LIMIT: '1',
    };
    await enqueue([{ n: 0, sleepMs: 2_500, key: 'k' }]);
    const first = startWorker(settings);
    await ready(first);
    await until(() => effects().some((e) => e.type === 'start'), 'the first job to start');
    const heldFromMs = effects()[0]!.atMs;
    first.child.kill('SIGKILL');
    await first.exited;
    await enqueue([{ n: 1, sleepMs: 100, key: 'k' }]);
    const second = startWorker(settings);
    await ready(second);
    await until(() => new Set(done().map((e) => e.n)).size === 2, 'both jobs to be done', 60_000);
    second.child.kill('SIGTERM');
    await second.exited;
    const laterStarts = effects().filter((e) => e.type === 'start' && e.pid === second.child.pid);
    // The dead holder's slot held until its lease ended; then both jobs ran, one at a time (limit 1).
    expect(laterStarts.length).toBeGreaterThanOrEqual(2);
    for (const start of laterStarts) expect(start.atMs).toBeGreaterThanOrEqual(heldFromMs + leaseMs - 100);
    // The killed run started and never finished: only the runs after it can be paired start to done.
    expect(peakPerKey([second.child.pid]).get('k')).toBe(1);
    const deferred = second.lines
      .filter((l) => l.type === 'event')
      .map((l) => l.event as { type: string; why?: string })
      .filter((e) => e.type === 'deferred');
    expect(deferred.some((e) => e.why === 'concurrency')).toBe(true);
  }, 90_000);

  it('tells a running job that cancel asked it to stop: its ctx.signal aborts within the 5 s check, it is recorded cancelled, and it never runs again', async () => {
    const worker = startWorker({ WORKER_CONCURRENCY: '1', WORKER_JOB_TIMEOUT: '2m' });
    await ready(worker);
    const [jobId] = await enqueue([{ n: 1, sleepMs: 60_000 }]);
    await until(() => effects().some((e) => e.type === 'start'), 'the job to start');
    const client = createClient({
      transport: createSqsTransport({ client: sqs, queues: { default: { url: queueUrl, deadLetterUrl } } }),
      store,
    });
    expect(await client.cancel(jobId!)).toMatchObject({ outcome: 'signalled', jobId });
    await until(() => eventTypes(worker).includes('cancelled'), 'the worker to stop the run', 20_000);
    const cancelled = worker.lines.find(
      (l) => l.type === 'event' && (l.event as { type: string }).type === 'cancelled',
    );
    expect(cancelled?.event).toMatchObject({ jobId, whileRunning: true });
    expect(await store.get(jobId!, Date.now())).toMatchObject({
      status: 'cancelled',
      lastError: { code: 'WHARF_CANCELLED' },
    });
    // Acknowledged (the worker deletes in batches, so it may take a moment), never run again, never done.
    let empty = false;
    for (let i = 0; i < 40 && !empty; i++) {
      empty = await queueIsEmpty();
      if (!empty) await new Promise((r) => setTimeout(r, 250));
    }
    expect(empty).toBe(true);
    expect(effects().map((e) => e.type)).toEqual(['start']);
  }, 60_000);
  it('resumes a three-step job at step three after its worker is SIGKILLed after step two; steps one and two ran once', async () => {
    // Issue 17's acceptance on moto: the steps live on the DynamoDB record, and a takeover (after the killed
    // run's lease lapses) replays them from there.
    const settings = {
      WORKER_JOB_TIMEOUT: '5s',
      WORKER_LEASE_MARGIN: '1s',
      WORKER_VISIBILITY_SECONDS: '2',
    };
    const client = createClient({
      transport: createSqsTransport({ client: sqs, queues: { default: { url: queueUrl, deadLetterUrl } } }),
    });
    const { jobId } = await client.enqueue(
      threeSteps.with({ n: 7, pauseAfterTwoMs: 60_000 }, { jobId: 'steps-7' }),
    );
    const first = startWorker(settings);
    await ready(first);
    await until(() => effects().some((e) => e.type === 'after-two'), 'step two to be done');
    // The second step is durable before the run goes on: the record holds both.
    const before = await store.get(jobId, Date.now());
    expect(before).toMatchObject({ status: 'running', attempt: 1 });
    expect(Object.keys(before?.steps ?? {})).toEqual(['one', 'two']);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = startWorker(settings);
    await ready(second);
    // The message comes back after its visibility; the claim takes the job over once the killed run's lease
    // (timeout + margin) has lapsed, as attempt 2 (a crashed run counts), which does not pause.
    await until(() => done().length === 1, 'the job to finish after the takeover', 60_000);
    second.child.kill('SIGTERM');
    await second.exited;
    const steps = effects().filter((e) => e.type === 'step');
    expect(steps.map((e) => [e.step, e.pid])).toEqual([
      ['one', first.child.pid],
      ['two', first.child.pid],
      ['three', second.child.pid],
    ]);
    expect((steps[2] as Effect & { token?: string }).token).toBe('t-7'); // step one's stored result, replayed
    const record = await store.get(jobId, Date.now());
    expect(record).toMatchObject({ status: 'succeeded', result: { three: 'three with t-7' } });
    expect(Object.keys(record?.steps ?? {})).toEqual(['one', 'two', 'three']);
    const replayed = second.lines
      .filter((l) => l.type === 'event' && (l.event as { type: string }).type === 'step')
      .map((l) => l.event as { name: string; replayed: boolean });
    expect(replayed).toEqual([
      { ...replayed[0], name: 'one', replayed: true },
      { ...replayed[1], name: 'two', replayed: true },
      { ...replayed[2], name: 'three', replayed: false },
    ]);
  }, 150_000);
});

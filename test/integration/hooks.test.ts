import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/client';
import type { Enqueuer } from '../../src/client/types';
import { deadLetterUrlVariable, queueUrlVariable } from '../../src/config/env-config';
import type { JobDefinition } from '../../src/job/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLambdaHandler } from '../../src/lambda/index';
import { createLocalEngine, createManualClock } from '../../src/local/index';
import { createDynamoJobStore, createJobTable } from '../../src/store/dynamodb/index';
import type { JobStore } from '../../src/store/types';
import { createSqsTransport } from '../../src/transport/sqs/index';
import {
  EXPECTED_TRAILS,
  type HookProbe,
  hookJobs,
  hookReporter,
  motoProbe,
  PAYLOAD,
  type Trail,
} from '../fixtures/hook-jobs';
import { dynamoClient, motoEndpoint, sqsClient, uniqueName } from '../helpers/aws';
import { pollOnce } from '../helpers/esm';
import { receiveAll } from '../helpers/harness/moto';
import { createQueuePair, drainQueue, messagesLeft } from '../helpers/queues';

const WORKER_MAIN = resolve(import.meta.dirname, '../fixtures/hooks-worker-main.ts');

/** One adapter running the hook jobs, with the trails their hooks and the reporter wrote. */
interface World {
  readonly client: Enqueuer;
  readonly store: JobStore;
  readonly trails: Map<string, string[]>;
  /** Runs every job to its end (retries included). */
  drain(): Promise<void>;
  deadLetterIds(): Promise<string[]>;
  teardown(): Promise<void>;
}

function collect(): { trails: Map<string, string[]>; trail: Trail } {
  const trails = new Map<string, string[]>();
  return { trails, trail: (job, line) => trails.set(job, [...(trails.get(job) ?? []), line]) };
}

const noProbe: HookProbe = { recordStatus: async () => undefined, inDeadLetterQueue: async () => false };
const expectedLines = Object.values(EXPECTED_TRAILS).flat().length;
const linesIn = (trails: Map<string, string[]>) => [...trails.values()].flat().length;

async function embeddedWorld(): Promise<World> {
  const { trails, trail } = collect();
  const clock = createManualClock(Date.UTC(2026, 11, 1, 12));
  const probe: HookProbe = {
    recordStatus: async (jobId) => (await engine.store.get(jobId, clock.nowMs()))?.status,
    inDeadLetterQueue: async (jobId) =>
      engine.transport.peekDeadLetters('default').some((m) => JSON.parse(m.body).id === jobId),
  };
  const engine = createLocalEngine({
    registry: createRegistry(hookJobs(trail, probe)),
    clock,
    random: () => 0,
    reportError: hookReporter(trail),
  });
  return {
    client: engine.client,
    store: engine.store,
    trails,
    drain: async () => void (await engine.runUntilIdle()),
    deadLetterIds: async () =>
      engine.transport.peekDeadLetters('default').map((m) => JSON.parse(m.body).id as string),
    teardown: async () => engine.close(),
  };
}

async function motoQueues(sqs: SQSClient) {
  const queue = await createQueuePair(sqs, { visibilityTimeoutSeconds: 10 });
  const tableName = uniqueName('wharf-hooks');
  const dynamodb = dynamoClient();
  await createJobTable(dynamodb, tableName);
  const store = createDynamoJobStore({ client: dynamodb, tableName });
  const transport = createSqsTransport({
    client: sqs,
    queues: { default: { url: queue.url, deadLetterUrl: queue.deadLetterUrl } },
  });
  return { queue, tableName, dynamodb, store, transport };
}

/** The middy Lambda handler, run in-process on messages received from moto's SQS (moto runs no Lambda code). */
async function lambdaWorld(): Promise<World> {
  const { trails, trail } = collect();
  const sqs = sqsClient();
  const { queue, dynamodb, store, transport } = await motoQueues(sqs);
  const jobs = hookJobs(trail, motoProbe(sqs, store, queue.deadLetterUrl));
  const handler = createLambdaHandler({
    registry: createRegistry(jobs),
    queue: 'default',
    transport,
    store,
    random: () => 0,
    reportError: hookReporter(trail),
  });
  const target = { sqs, queueUrl: queue.url, queueArn: queue.arn, handler, waitTimeSeconds: 1 };
  return {
    client: createClient({ transport, store }),
    store,
    trails,
    drain: () => drainQueue(sqs, queue.url, () => pollOnce(target), 30_000),
    deadLetterIds: async () => (await receiveAll(sqs, queue.deadLetterUrl)).map((m) => JSON.parse(m.body).id),
    teardown: async () => {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

/** A real worker process (createWorkerFromEnv) on moto, its hooks' trail read from its stdout. */
async function workerProcessWorld(): Promise<World> {
  const { trails, trail } = collect();
  const sqs = sqsClient();
  const { queue, tableName, dynamodb, store, transport } = await motoQueues(sqs);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'us-east-1',
      [queueUrlVariable('default')]: queue.url,
      [deadLetterUrlVariable('default')]: queue.deadLetterUrl,
      WHARF_TABLE_NAME: tableName,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let ready = false;
  let stderr = '';
  let buffered = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const complete = buffered.split('\n');
    buffered = complete.pop() ?? '';
    for (const text of complete.filter((l) => l.trim())) {
      const line = JSON.parse(text) as { type: string; job?: string; line?: string };
      if (line.type === 'ready') ready = true;
      if (line.type === 'trail') trail(line.job!, line.line!);
    }
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  await until(
    () => ready || child.exitCode !== null,
    'the worker to start',
    () => stderr,
  );
  if (!ready) throw new Error(`the worker exited early: ${stderr}`);
  return {
    client: createClient({ transport, store }),
    store,
    trails,
    drain: async () => {
      await until(
        () => linesIn(trails) >= expectedLines,
        'every hook line',
        () => stderr,
      );
      // The last hook ran before its message was acked: wait for the queue to be empty too.
      const deadline = Date.now() + 20_000;
      while ((await messagesLeft(sqs, queue.url)) > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
    },
    deadLetterIds: async () => (await receiveAll(sqs, queue.deadLetterUrl)).map((m) => JSON.parse(m.body).id),
    teardown: async () => {
      // Every outcome is durable and the queue empty by now: nothing to stop gracefully.
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

async function until(condition: () => boolean, what: string, detail: () => string): Promise<void> {
  const deadline = Date.now() + 45_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const worlds = [
  { name: 'the embedded engine', create: embeddedWorld },
  { name: 'the Lambda handler on moto', create: lambdaWorld },
  { name: 'a worker process on moto', create: workerProcessWorld },
];

// Issue 17's acceptance for hooks: the same jobs with hooks, on each adapter, and the hooks run in the documented
// order (README "Hooks and error reporting"): around before and after each attempt's perform; once the outcome is
// durable (the retry sent and recorded, the dead letter written and recorded), the error reporter, then
// onFailure, then onDead.
describe.each(worlds)('job hooks and the error reporter on $name', ({ create }) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.teardown();
    world = undefined;
  });

  it('runs the hooks in the documented order, after each outcome is durable, and a throwing hook or reporter changes no outcome', async () => {
    world = await create();
    const [flaky, doomed, throwing] = hookJobs(() => undefined, noProbe) as [
      JobDefinition,
      JobDefinition,
      JobDefinition,
    ];
    const ids = {
      flaky: (await world.client.enqueue(flaky.with(PAYLOAD))).jobId,
      doomed: (await world.client.enqueue(doomed.with(PAYLOAD))).jobId,
      throwing: (await world.client.enqueue(throwing.with(PAYLOAD))).jobId,
    };
    await world.drain();

    expect(Object.fromEntries(world.trails)).toEqual(EXPECTED_TRAILS);
    // What `around` resolved to is the attempt's result.
    expect(await world.store.get(ids.flaky, Date.now())).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      result: { attempt: 2, wrapped: true },
    });
    expect(await world.store.get(ids.doomed, Date.now())).toMatchObject({ status: 'dead', attempt: 1 });
    // Its onFailure, onDead and reporter all threw: still dead-lettered once, run once, its message gone.
    expect(await world.store.get(ids.throwing, Date.now())).toMatchObject({ status: 'dead', attempt: 1 });
    expect((await world.deadLetterIds()).sort()).toEqual([ids.doomed, ids.throwing].sort());
  });
});

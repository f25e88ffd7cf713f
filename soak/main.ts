import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobRecord } from 'wharf-jobs';
import {
  createAwsRuntime,
  createDynamoJobStore,
  deadLetterUrlVariable,
  queueUrlVariable,
} from 'wharf-jobs/aws';
import { startMotoServer } from '../test/helpers/moto-server';
import { bundleWorker } from './bundle';
import { drainDeadLetters } from './dead-letters';
import { type EffectLine, type PlannedJob, planJobs, soakJobs } from './jobs';
import { Ledger } from './ledger';
import { soakOptions } from './options';
import { WORKER_ENV } from './protocol';
import { deriveSeed, seededRandom } from './random';
import { printReport } from './report';
import {
  createResources,
  type DriverClients,
  driverClients,
  messagesLeft,
  type SoakResources,
} from './setup';
import { judge } from './verdict';
import { WorkerPool } from './workers';

// `npm run soak`: worker processes on moto running a mix of jobs in the three idempotency modes (and an exactly-once job with durable steps), SIGKILLed at
// random and replaced, with SQS and DynamoDB faults injected in their SDK clients. Counts every job's completions,
// dead letters and effects, and ends with one line; exits 1 when a job was lost, an exactly-once job completed
// twice, a dead letter has no reason, a job ended the wrong way, or a worker crashed.

/** SQS visibility of a received message: a killed run's message comes back after at most this. */
const VISIBILITY_SECONDS = 5;
const KILL_STREAM = 1_000_000;

const options = soakOptions(process.argv.slice(2));
const t0 = performance.now();
const seconds = () => ((performance.now() - t0) / 1000).toFixed(0).padStart(4);
const step = (what: string) => process.stderr.write(`[soak ${seconds()} s] ${what}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

console.log(
  `soak: seed ${options.seed} (replay with --seed ${options.seed}), ${options.jobs} jobs, ` +
    `${options.workers} workers x ${options.concurrency}, a SIGKILL every ~${options.killEveryMs / 1000} s, ` +
    `faults in ${(options.faultRate * 100).toFixed(1)}% of worker requests`,
);
const runDir = mkdtempSync(join(tmpdir(), 'wharf-soak-'));
step(`starting moto server; run directory ${runDir}`);
const moto = await startMotoServer();
const clients = driverClients(moto.endpoint);
let pool: WorkerPool | undefined;
let passed = false;
try {
  const resources = await createResources(clients, VISIBILITY_SECONDS);
  const plan = planJobs(options.jobs, seededRandom(options.seed));
  const ledger = new Ledger(plan);
  const effectsFile = join(runDir, 'effects.jsonl');
  writeFileSync(effectsFile, '');
  pool = new WorkerPool({
    runDir,
    entry: await bundleWorker(runDir),
    env: (index) => workerEnv(moto.endpoint, resources, effectsFile, index),
    onLine: (_worker, line) => {
      if (line.type === 'event') ledger.onEvent(line);
      else if (line.type === 'fault') ledger.onFault(line);
    },
  });
  const run = await runJobs(plan, ledger, pool, resources, clients);
  step('stopping the workers (SIGTERM)');
  await pool.stopAll(30_000);
  await drainDeadLetters(clients.sqs, resources.deadLetterUrl, (d) => ledger.onDeadLetter(d));
  for (const line of readFileSync(effectsFile, 'utf8').split('\n')) {
    if (line) ledger.onEffect(JSON.parse(line) as EffectLine);
  }
  step('reading the job table');
  const records = await readRecords(plan, clients, resources.tableName);
  const verdict = judge(ledger, records);
  passed = printReport(verdict, ledger, {
    jobs: options.jobs,
    kills: run.kills,
    crashes: pool.crashes,
    ...(run.endedEarly === undefined ? {} : { endedEarly: run.endedEarly }),
    elapsedMs: performance.now() - t0,
    runMs: run.runMs,
  });
} finally {
  pool?.killAll();
  clients.destroy();
  await moto.stop();
  if (passed && !options.keep) rmSync(runDir, { recursive: true, force: true });
  else step(`run directory kept: ${runDir} (events.jsonl, effects.jsonl, worker-<n>.log)`);
}
process.exit(passed ? 0 : 1);

function workerEnv(endpoint: string, resources: SoakResources, effectsFile: string, index: number) {
  return {
    ...process.env,
    [queueUrlVariable('default')]: resources.queueUrl,
    [deadLetterUrlVariable('default')]: resources.deadLetterUrl,
    WHARF_TABLE_NAME: resources.tableName,
    [WORKER_ENV.endpoint]: endpoint,
    [WORKER_ENV.effectsFile]: effectsFile,
    [WORKER_ENV.seed]: String(deriveSeed(options.seed, index)),
    [WORKER_ENV.faultRate]: String(options.faultRate),
    [WORKER_ENV.concurrency]: String(options.concurrency),
    [WORKER_ENV.visibilitySeconds]: String(VISIBILITY_SECONDS),
  };
}

interface RunResult {
  readonly kills: number;
  readonly runMs: number;
  readonly endedEarly?: string;
}

/**
 * Starts the workers, feeds the queue, kills and replaces a worker every so often, and takes dead letters off the
 * DLQ, until every job is accounted for and the queue is empty (or nothing moves for the stall timeout).
 */
async function runJobs(
  plan: readonly PlannedJob[],
  ledger: Ledger,
  workers: WorkerPool,
  resources: SoakResources,
  driver: DriverClients,
): Promise<RunResult> {
  for (let i = 0; i < options.workers; i++) workers.start();
  step(
    `started ${options.workers} workers; enqueueing ${plan.length} jobs, at most ${options.window} outstanding`,
  );
  const startedAt = performance.now();
  let ended = false;
  let enqueueFailure: unknown;
  const enqueueing = enqueueAll(plan, ledger, resources, driver, () => ended).catch((error: unknown) => {
    enqueueFailure = error;
  });
  const killRandom = seededRandom(deriveSeed(options.seed, KILL_STREAM));
  let kills = 0;
  let killTimer: NodeJS.Timeout | undefined;
  const scheduleKill = () => {
    killTimer = setTimeout(
      () => {
        const victim = workers.kill(killRandom());
        if (victim) {
          kills += 1;
          workers.start();
        }
        scheduleKill();
      },
      options.killEveryMs * (0.5 + killRandom()),
    );
  };
  scheduleKill();
  let endedEarly: string | undefined;
  let lastAccounted = -1;
  let lastChangeAt = performance.now();
  let lastReportAt = 0;
  try {
    for (;;) {
      await sleep(500);
      if (enqueueFailure !== undefined) throw enqueueFailure;
      await drainDeadLetters(driver.sqs, resources.deadLetterUrl, (d) => ledger.onDeadLetter(d));
      // A worker that crashed by itself is replaced like a killed one; the crash is reported at the end.
      while (workers.size < options.workers) workers.start();
      const now = performance.now();
      if (ledger.accounted !== lastAccounted) {
        lastAccounted = ledger.accounted;
        lastChangeAt = now;
      }
      if (now - lastReportAt >= 5_000) {
        lastReportAt = now;
        step(
          `accounted for ${ledger.accounted}/${plan.length} jobs, ${kills} kills, ${workers.crashes.length} crashes`,
        );
      }
      if (ledger.accounted === plan.length && (await messagesLeft(driver.sqs, resources.queueUrl)) === 0)
        break;
      if (now - lastChangeAt > options.stallMs) {
        const left = await messagesLeft(driver.sqs, resources.queueUrl);
        endedEarly =
          ledger.accounted === plan.length
            ? `every job is accounted for, but ${left} messages stayed on the queue for ${options.stallMs / 1000} s`
            : `no job was accounted for in ${options.stallMs / 1000} s (${plan.length - ledger.accounted} not accounted for, ${left} messages on the queue)`;
        break;
      }
    }
  } finally {
    ended = true;
    clearTimeout(killTimer);
  }
  await enqueueing;
  return { kills, runMs: performance.now() - startedAt, ...(endedEarly === undefined ? {} : { endedEarly }) };
}

/**
 * Enqueues the plan through the client SDK, in batches of 100 (SendMessageBatch, 10 a request), keeping at most
 * `window` jobs outstanding. The producer's client has no injected faults: a job it could not enqueue would be
 * the producer's to retry, and would say nothing about the workers.
 */
async function enqueueAll(
  plan: readonly PlannedJob[],
  ledger: Ledger,
  resources: SoakResources,
  driver: DriverClients,
  ended: () => boolean,
): Promise<void> {
  const { byKind, registry } = soakJobs(() => undefined);
  const { client } = createAwsRuntime({
    registry,
    env: {
      [queueUrlVariable('default')]: resources.queueUrl,
      [deadLetterUrlVariable('default')]: resources.deadLetterUrl,
    },
    sqs: driver.sqs,
    dynamodb: driver.dynamodb,
  });
  let next = 0;
  while (next < plan.length && !ended()) {
    const room = Math.min(100, options.window - (next - ledger.accounted), plan.length - next);
    if (room < Math.min(20, plan.length - next)) {
      await sleep(50);
      continue;
    }
    let batch = plan.slice(next, next + room);
    for (let round = 1; batch.length > 0; round++) {
      const result = await client.enqueueMany(
        batch.map((job) => byKind[job.kind].with(job.payload, { jobId: job.jobId })),
      );
      if (result.failed.length > 0 && round >= 5)
        throw new Error(
          `the producer could not enqueue ${result.failed.length} jobs: ${JSON.stringify(result.failed[0])}`,
        );
      const sent = new Set(result.enqueued.map((e) => e.jobId));
      batch = batch.filter((job) => !sent.has(job.jobId));
    }
    next += room;
  }
}

async function readRecords(
  plan: readonly PlannedJob[],
  driver: DriverClients,
  tableName: string,
): Promise<Map<number, JobRecord | undefined>> {
  const store = createDynamoJobStore({ client: driver.dynamodb, tableName });
  const records = new Map<number, JobRecord | undefined>();
  const wanted = plan.flatMap((job, n) => (job.mode === 'off' ? [] : [n]));
  let cursor = 0;
  const lane = async () => {
    while (cursor < wanted.length) {
      const n = wanted[cursor++]!;
      records.set(n, await store.get(plan[n]!.jobId, Date.now()));
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return records;
}

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createClient } from 'wharf-jobs';
import { createSqsTransport } from 'wharf-jobs/aws';
import type { Emulator } from '../aws/emulator';
import { type LatencyStub, startLatencyStub } from '../aws/latency-stub';
import { baselineBody, baselineRig } from '../baseline/rig';
import type { BenchConfig } from '../config';
import type { Producer } from '../scenario';
import { type Spread, spread, timed } from '../stats';
import { noopJobs } from '../wharf/jobs';
import { enqueueNoops, wharfRig } from '../wharf/rig';

/** Figure 3: jobs enqueued per second, bulk against one-by-one (each one-by-one request awaited in turn). */
export interface EnqueueRow {
  readonly target: string;
  readonly oneByOneJobs: number;
  readonly bulkJobs: number;
  readonly wharfOneByOne: Spread;
  readonly wharfBulk: Spread;
  readonly baselineOneByOne: Spread;
  /** wharf bulk ÷ wharf one-by-one, within each round. */
  readonly bulkOverOneByOne: Spread;
  /** wharf bulk ÷ the baseline's SendMessage per job, within each round. */
  readonly bulkOverBaseline: Spread;
}

/** Something to enqueue into: returns a ready-to-time send of `count` jobs (setup, such as queues, done first). */
interface Target {
  readonly name: string;
  readonly oneByOneJobs: number;
  readonly bulkJobs: number;
  wharf(count: number, producer: Producer): Promise<() => Promise<void>>;
  baseline(count: number): Promise<() => Promise<void>>;
}

export async function enqueueFigure(emulator: Emulator, config: BenchConfig): Promise<EnqueueRow[]> {
  const { runs, stubLatencyMs } = config.enqueue;
  const stub = await startLatencyStub(stubLatencyMs);
  try {
    return [
      await measureTarget(emulatorTarget(emulator, config), runs),
      await measureTarget(stubTarget(stub, config), runs),
    ];
  } finally {
    await stub.stop();
  }
}

async function measureTarget(target: Target, runs: number): Promise<EnqueueRow> {
  const rate = async (count: number, prepare: Promise<() => Promise<void>>) => {
    const send = await prepare;
    return count / ((await timed(send)).wallMs / 1000);
  };
  const one = () => rate(target.oneByOneJobs, target.wharf(target.oneByOneJobs, 'one-by-one'));
  const bulk = () => rate(target.bulkJobs, target.wharf(target.bulkJobs, 'bulk'));
  const base = () => rate(target.oneByOneJobs, target.baseline(target.oneByOneJobs));
  await rate(10, target.wharf(10, 'one-by-one')); // warm-up: connections, JIT
  await rate(10, target.baseline(10));
  // Strictly one producer at a time (they would share the cores), the order reversed every other round.
  const rounds: { one: number; bulk: number; base: number }[] = [];
  for (let r = 0; r < runs; r++) {
    const first = r % 2 === 0 ? await one() : await base();
    const middle = await bulk();
    const last = r % 2 === 0 ? await base() : await one();
    rounds.push(
      r % 2 === 0 ? { one: first, bulk: middle, base: last } : { one: last, bulk: middle, base: first },
    );
  }
  return {
    target: target.name,
    oneByOneJobs: target.oneByOneJobs,
    bulkJobs: target.bulkJobs,
    wharfOneByOne: spread(rounds.map((r) => r.one)),
    wharfBulk: spread(rounds.map((r) => r.bulk)),
    baselineOneByOne: spread(rounds.map((r) => r.base)),
    bulkOverOneByOne: spread(rounds.map((r) => r.bulk / r.one)),
    bulkOverBaseline: spread(rounds.map((r) => r.bulk / r.base)),
  };
}

/** moto: a fresh queue per measurement, the same job count both ways (its cost grows with queue length). */
function emulatorTarget(emulator: Emulator, config: BenchConfig): Target {
  const jobs = config.enqueue.emulatorJobs;
  return {
    name: 'moto server',
    oneByOneJobs: jobs,
    bulkJobs: jobs,
    async wharf(count, producer) {
      const rig = await wharfRig(emulator, 'off');
      return () => rig.enqueue(count, producer);
    },
    async baseline(count) {
      const rig = await baselineRig(emulator, 'plain');
      return () => rig.enqueue(count, 'one-by-one');
    },
  };
}

function stubTarget(stub: LatencyStub, config: BenchConfig): Target {
  const client = new SQSClient({
    endpoint: stub.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const queues = { default: { url: stub.queueUrl, deadLetterUrl: `${stub.queueUrl}-dlq` } };
  const wharfClient = createClient({ transport: createSqsTransport({ client, queues }) });
  const jobs = noopJobs('off');
  return {
    name: `SQS stub answering in ${config.enqueue.stubLatencyMs} ms`,
    oneByOneJobs: config.enqueue.stubOneByOneJobs,
    bulkJobs: config.enqueue.stubBulkJobs,
    wharf: async (count, producer) => () => enqueueNoops(wharfClient, jobs, count, producer),
    baseline: async (count) => async () => {
      for (let i = 0; i < count; i++) {
        await client.send(new SendMessageCommand({ QueueUrl: stub.queueUrl, MessageBody: baselineBody() }));
      }
    },
  };
}

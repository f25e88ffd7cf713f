import { fakeContext } from '../../test/helpers/esm';
import type { Emulator } from '../aws/emulator';
import { baselineInMemory } from '../baseline/in-memory';
import { baselineRig } from '../baseline/rig';
import type { BenchConfig } from '../config';
import { collectGarbage } from '../gc';
import { type InMemoryWorker, type Rig, runScenario } from '../scenario';
import { type Spread, spread, type Timing, timed } from '../stats';
import { emfSink } from '../wharf/emf-sink';
import { wharfInMemory } from '../wharf/in-memory';
import { wharfRig } from '../wharf/rig';

/** Figure 2, per 10,000 jobs: wall time and CPU inside the Lambda handler, wharf against the baseline. */
export interface WorkerPair {
  readonly wharf: string;
  readonly baseline: string;
  readonly note: string;
  readonly wharfWallMs: Spread;
  readonly wharfCpuMs: Spread;
  readonly baselineWallMs: Spread;
  readonly baselineCpuMs: Spread;
  /** wharf / baseline within each round, then the spread of those ratios. */
  readonly wallRatio: Spread;
  readonly cpuRatio: Spread;
}

export interface WorkerPart {
  readonly jobsPerRun: number;
  readonly runs: number;
  readonly pairs: readonly WorkerPair[];
  /** The EMF bytes wharf's workers wrote per job in this part (metrics on, batches of 10). */
  readonly emfBytesPerJob?: number;
}

export interface WorkerFigure {
  readonly perJobs: number;
  readonly emulator: WorkerPart;
  readonly inMemory: WorkerPart;
}

const PER_JOBS = 10_000;
type Subject =
  | 'wharf off'
  | 'wharf tracked'
  | 'wharf exactly-once'
  | 'wharf exactly-once, no metrics'
  | 'baseline plain'
  | 'baseline idempotent';
const PAIRS: readonly { wharf: Subject; baseline: Subject; note: string }[] = [
  { wharf: 'wharf off', baseline: 'baseline plain', note: 'like with like: no job state' },
  { wharf: 'wharf tracked', baseline: 'baseline idempotent', note: 'baseline has no outcome-only mode' },
  { wharf: 'wharf exactly-once', baseline: 'baseline idempotent', note: 'like with like' },
  {
    wharf: 'wharf exactly-once, no metrics',
    baseline: 'baseline idempotent',
    note: 'what the EMF metrics cost: the row above without them',
  },
];

export async function workerFigure(emulator: Emulator, config: BenchConfig): Promise<WorkerFigure> {
  return {
    perJobs: PER_JOBS,
    inMemory: await inMemoryPart(config),
    emulator: await emulatorPart(emulator, config),
  };
}

async function inMemoryPart(config: BenchConfig): Promise<WorkerPart> {
  const { jobs, runs } = config.workerInMemory;
  const workers: Record<Subject, InMemoryWorker> = {
    'wharf off': wharfInMemory('off'),
    'wharf tracked': wharfInMemory('tracked'),
    'wharf exactly-once': wharfInMemory('exactly-once'),
    'wharf exactly-once, no metrics': wharfInMemory('exactly-once', { metrics: false }),
    'baseline plain': baselineInMemory('plain'),
    'baseline idempotent': baselineInMemory('idempotent'),
  };
  // Warm-up round: JIT and lazy module loading are cold-start matters, measured in figure 4.
  await rounds(
    mapSubjects((s) => () => runInMemory(workers[s], Math.min(jobs, 1_000))),
    1,
  );
  const bytesBefore = emfSink.bytes;
  const times = await rounds(
    mapSubjects((s) => () => runInMemory(workers[s], jobs)),
    runs,
  );
  const wharfJobs =
    jobs * runs * SUBJECTS.filter((s) => s.startsWith('wharf') && !s.endsWith('no metrics')).length;
  return {
    jobsPerRun: jobs,
    runs,
    pairs: pairs(times, jobs),
    emfBytesPerJob: (emfSink.bytes - bytesBefore) / wharfJobs,
  };
}

/** Fresh queues and tables per run; the jobs are loaded in bulk (untimed) and only handler time is kept. */
async function emulatorPart(emulator: Emulator, config: BenchConfig): Promise<WorkerPart> {
  const { jobs, wave, runs } = config.workerOnEmulator;
  const onEmulator = (make: () => Promise<Rig>) => async () =>
    (await runScenario(await make(), { jobs, wave, producer: 'bulk' })).handler;
  const times = await rounds(
    {
      'wharf off': onEmulator(() => wharfRig(emulator, 'off')),
      'wharf tracked': onEmulator(() => wharfRig(emulator, 'tracked')),
      'wharf exactly-once': onEmulator(() => wharfRig(emulator, 'exactly-once')),
      'wharf exactly-once, no metrics': onEmulator(() =>
        wharfRig(emulator, 'exactly-once', undefined, { metrics: false }),
      ),
      'baseline plain': onEmulator(() => baselineRig(emulator, 'plain')),
      'baseline idempotent': onEmulator(() => baselineRig(emulator, 'idempotent')),
    },
    runs,
  );
  return { jobsPerRun: jobs, runs, pairs: pairs(times, jobs) };
}

async function runInMemory(worker: InMemoryWorker, jobs: number): Promise<Timing> {
  const handler = worker.handlerForRun();
  const events = await worker.events(jobs);
  const context = fakeContext(900_000);
  collectGarbage();
  return timed(async () => {
    for (const event of events) {
      const response = await handler(event, context);
      if (response.batchItemFailures.length > 0) throw new Error(`${worker.label}: records failed`);
    }
  });
}

const SUBJECTS: readonly Subject[] = PAIRS.flatMap((p) => [p.wharf, p.baseline]).filter(
  (s, i, all) => all.indexOf(s) === i,
);

function mapSubjects(make: (s: Subject) => () => Promise<Timing>): Record<Subject, () => Promise<Timing>> {
  return Object.fromEntries(SUBJECTS.map((s) => [s, make(s)])) as Record<Subject, () => Promise<Timing>>;
}

/** Every subject once per round, the order rotating so none always runs first (or right after a GC-heavy one). */
async function rounds(
  subjects: Record<Subject, () => Promise<Timing>>,
  runs: number,
): Promise<Record<Subject, Timing[]>> {
  const results = Object.fromEntries(SUBJECTS.map((s) => [s, [] as Timing[]])) as Record<Subject, Timing[]>;
  for (let r = 0; r < runs; r++) {
    const order = [...SUBJECTS.slice(r % SUBJECTS.length), ...SUBJECTS.slice(0, r % SUBJECTS.length)];
    for (const subject of order) results[subject].push(await subjects[subject]());
  }
  return results;
}

function pairs(times: Record<Subject, Timing[]>, jobs: number): WorkerPair[] {
  const scale = PER_JOBS / jobs;
  return PAIRS.map(({ wharf, baseline, note }) => {
    const w = times[wharf];
    const b = times[baseline];
    return {
      wharf,
      baseline,
      note,
      wharfWallMs: spread(w.map((t) => t.wallMs * scale)),
      wharfCpuMs: spread(w.map((t) => t.cpuMs * scale)),
      baselineWallMs: spread(b.map((t) => t.wallMs * scale)),
      baselineCpuMs: spread(b.map((t) => t.cpuMs * scale)),
      wallRatio: spread(w.map((t, i) => t.wallMs / b[i]!.wallMs)),
      cpuRatio: spread(w.map((t, i) => t.cpuMs / b[i]!.cpuMs)),
    };
  });
}

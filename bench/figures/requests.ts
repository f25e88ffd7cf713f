import type { IdempotencyMode } from 'wharf-jobs';
import type { Emulator } from '../aws/emulator';
import { measureBaselineLongDelay } from '../baseline/long-delay';
import { type BaselineVariant, baselineRig } from '../baseline/rig';
import type { BenchConfig } from '../config';
import type { Measured } from '../measured';
import { type Producer, type Rig, runScenario } from '../scenario';
import { type SideUnits, toUnits } from '../units';
import { measureBatch } from '../wharf/batch';
import { DEBOUNCE_BURST, measureDebounce } from '../wharf/debounce';
import { NOOP_STEPS, type NoopFlow } from '../wharf/jobs';
import { LONG_DELAY_PATHS, type LongDelayPath } from '../wharf/long-delay';
import { measureOutbox } from '../wharf/outbox';
import { wharfRig } from '../wharf/rig';

/** Figure 1: AWS requests, DynamoDB units and list-price cost per job, wharf against the baseline. */
export interface RequestRow {
  readonly case: string;
  readonly wharf: SideUnits;
  readonly baseline: SideUnits;
  /** wharf / baseline, requests per job. */
  readonly requestRatio: number;
  /** wharf / baseline, cost per million jobs. */
  readonly costRatio: number;
  readonly note: string;
}

export interface RequestFigure {
  readonly jobsPerScenario: number;
  readonly rows: readonly RequestRow[];
  /** The baseline with a hand-rolled SendMessageBatch producer, for the bulk rows' note. */
  readonly baselineHandBatched: SideUnits;
}

const MODES: readonly { mode: IdempotencyMode; baseline: BaselineVariant; note: string }[] = [
  { mode: 'off', baseline: 'plain', note: 'like with like: no job state on either side' },
  {
    mode: 'tracked',
    baseline: 'idempotent',
    note: 'the baseline has no outcome-only mode; compared with its idempotency',
  },
  { mode: 'exactly-once', baseline: 'idempotent', note: 'like with like: both claim, run, then complete' },
];

/** What a limit adds to a job it does not hold back (Powertools has no limits: compared with its idempotency). */
const FLOW_ROWS: readonly { mode: IdempotencyMode; flow: NoopFlow; note: string }[] = [
  {
    mode: 'exactly-once',
    flow: 'concurrency',
    note: 'a concurrency limit by key: a slot taken before the claim and given back after the outcome (two writes more); Powertools has no limits, compared with its idempotency',
  },
  {
    mode: 'exactly-once',
    flow: 'unique',
    note: 'a unique key per job, held until it finishes: the producer takes it (one conditional write) and the job gives it back when it ends (one more); Powertools has no unique jobs, compared with its idempotency',
  },
  {
    mode: 'exactly-once',
    flow: 'steps',
    note: `${NOOP_STEPS} durable steps per job, each with a small JSON result: one fenced write per step (the claim returns the record's steps, so no read); a write costs what the record's size costs, steps included (README "Durable steps"); Powertools has no steps, compared with its idempotency`,
  },
  {
    mode: 'tracked',
    flow: 'throttle',
    note: 'a throttle: one start taken per job, one write more, or two when records of one batch take starts of one key at the same moment, as here (see README "Throttles"); Powertools has no limits, compared with its idempotency',
  },
];

export async function requestFigure(emulator: Emulator, config: BenchConfig): Promise<RequestFigure> {
  const { jobs, wave } = config.requests;
  const measure = async (rig: Rig, producer: Producer) =>
    toUnits(emulator, await measureRig(rig, jobs, wave, producer));
  const baseline = {
    plain: await measure(await baselineRig(emulator, 'plain'), 'one-by-one'),
    idempotent: await measure(await baselineRig(emulator, 'idempotent'), 'one-by-one'),
  };
  const handBatched = await measure(await baselineRig(emulator, 'plain'), 'bulk');
  const rows: RequestRow[] = [];
  for (const { mode, baseline: variant, note } of MODES) {
    for (const producer of ['one-by-one', 'bulk'] as const) {
      const wharf = await measure(await wharfRig(emulator, mode), producer);
      const bulkNote =
        producer === 'bulk'
          ? `; the baseline sends one SendMessage per job (hand-rolled SendMessageBatch: ${handBatched.requestsPerJob.toFixed(2)} req/job)`
          : '';
      rows.push(row(`${modeLabel(mode)}, ${producer} enqueue`, wharf, baseline[variant], note + bulkNote));
    }
  }
  for (const { mode, flow, note } of FLOW_ROWS) {
    const wharf = await measure(await wharfRig(emulator, mode, flow), 'bulk');
    const what =
      flow === 'unique' ? 'unique key' : flow === 'steps' ? `${NOOP_STEPS} durable steps` : `${flow} limit`;
    rows.push(row(`${modeLabel(mode)} + ${what}, bulk enqueue`, wharf, baseline.idempotent, note));
  }
  const bursts = { bursts: config.requests.debounceBursts, size: DEBOUNCE_BURST };
  const debounced = await toUnits(emulator, await measureDebounce(emulator, bursts));
  rows.push(
    row(
      `tracked + debounce (bursts of ${DEBOUNCE_BURST}), one-by-one enqueue, per enqueue`,
      debounced,
      baseline.idempotent,
      `a burst of ${DEBOUNCE_BURST} enqueues of one key runs once: each enqueue writes the burst item and sends its message; each message asks the item once (one conditional write), and all but the last come back once after the burst is due to find it taken (README "Debounce"); Powertools has no debounce, compared with its idempotency per job`,
    ),
  );
  const outbox = await toUnits(emulator, await measureOutbox(emulator, { jobs: config.requests.jobs }));
  rows.push(
    row(
      'tracked, enqueued after commit (outbox), one transaction per job',
      outbox,
      baseline.idempotent,
      `each job's entry is one more Put in the caller's TransactWriteItems (2 write units: transactional writes bill twice); the relay, handed stream records ${10} at a time, reads the entry (strongly consistent), sends the batch and deletes the entries (README "Enqueue after commit"); the caller's own items are not counted; Powertools has no outbox, compared with its idempotency`,
    ),
  );
  const batched = await toUnits(emulator, await measureBatch(emulator, { jobs: config.requests.jobs }));
  rows.push(
    row(
      'tracked, batch children (one batch with onFinish), per child',
      batched,
      baseline.idempotent,
      `each child's terminal outcome is counted once by one TransactWriteItems (its marker's Put and the batch record's Update: transactional writes bill twice) and a strongly consistent read of the batch; the batch's creation and the callback's run are spread over its children (README "Batches"); Powertools has no batches, compared with its idempotency`,
    ),
  );
  const options = { jobs: config.requests.delayJobs, delayMs: config.longDelayMs };
  const scheduledByHand = await toUnits(emulator, await measureBaselineLongDelay(emulator, options));
  for (const path of LONG_DELAY_PATHS) rows.push(await longDelayRow(emulator, config, path, scheduledByHand));
  return { jobsPerScenario: jobs, rows, baselineHandBatched: handBatched };
}

async function longDelayRow(
  emulator: Emulator,
  config: BenchConfig,
  path: LongDelayPath,
  baseline: SideUnits,
): Promise<RequestRow> {
  const options = { jobs: config.requests.delayJobs, delayMs: config.longDelayMs };
  const wharf = await toUnits(emulator, await path.measure(emulator, options));
  const hours = config.longDelayMs / 3_600_000;
  return row(
    `delay ${hours} h (${path.short}), plain, bulk enqueue`,
    wharf,
    baseline,
    `${wharf.label}, whose cost ${path.scaling}; ${baseline.label} (Powertools has no delays)`,
  );
}

async function measureRig(rig: Rig, jobs: number, wave: number, producer: Producer): Promise<Measured> {
  const result = await runScenario(rig, { jobs, wave, producer });
  return {
    label: `${rig.label}, ${producer}`,
    log: rig.log,
    jobs,
    lambdaInvocations: result.invocations,
    schedulerInvocations: 0,
    tables: rig.tables,
  };
}

function row(name: string, wharf: SideUnits, baseline: SideUnits, note: string): RequestRow {
  return {
    case: name,
    wharf,
    baseline,
    requestRatio: wharf.requestsPerJob / baseline.requestsPerJob,
    costRatio: wharf.costPerMillionJobs.total / baseline.costPerMillionJobs.total,
    note,
  };
}

export function modeLabel(mode: IdempotencyMode): string {
  return mode === 'off' ? 'plain (off)' : mode;
}

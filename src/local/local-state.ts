import { decodeEnvelope } from '../envelope/decode.js';
import { ConfigError } from '../errors.js';
import type { OneTimeSchedule } from '../schedule/types.js';
import type { JobRecord, PauseRecord } from '../store/types.js';
import type { PeekedMessage } from '../transport/memory/index.js';
import type { JobStatsState } from './job-stats.js';
import type { LocalEngine } from './local-engine.js';

/**
 * What an embedded engine holds, as JSON: its clock's time, every queue's messages and dead letters (ids kept),
 * the job records and the jobs waiting in one-time schedules. The CLI's `--local` mode saves it between commands,
 * so an id one command prints is still there for the next. Recurring tasks are not in it: they come from the
 * registry every time.
 */
export interface LocalEngineState {
  readonly v: typeof STATE_VERSION;
  readonly nowMs: number;
  readonly queues: Readonly<
    Record<string, { readonly messages: PeekedMessage[]; readonly deadLetters: PeekedMessage[] }>
  >;
  readonly records: readonly JobRecord[];
  readonly schedules: readonly OneTimeSchedule[];
  /** Paused queues and job types (absent in a state saved before pauses existed). */
  readonly pauses?: readonly PauseRecord[];
  /** The recurring tasks whose schedules are paused. */
  readonly pausedRecurring?: readonly string[];
  /** The engine's per-job-type counts and durations (`engine.stats`; absent in a state saved before them). */
  readonly stats?: JobStatsState;
}

const STATE_VERSION = 1;

/** Reads the engine's state. Call it when the engine is idle (after `runUntilIdle`): nothing is in flight then. */
export async function snapshotLocalEngine(engine: LocalEngine): Promise<LocalEngineState> {
  const nowMs = engine.clock.nowMs();
  const queues: Record<string, { messages: PeekedMessage[]; deadLetters: PeekedMessage[] }> = {};
  for (const queue of engine.transport.queueNames()) {
    queues[queue] = {
      messages: engine.transport.peek(queue),
      deadLetters: engine.transport.peekDeadLetters(queue),
    };
  }
  const records: JobRecord[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await engine.store.list({ limit: 100, ...(cursor ? { cursor } : {}) }, nowMs);
    records.push(...page.records);
    cursor = page.cursor;
  }
  const schedules = await savedSchedules(engine);
  return {
    v: STATE_VERSION,
    nowMs,
    queues,
    records,
    schedules: schedules.oneTime,
    pauses: await engine.store.listPauses(nowMs),
    pausedRecurring: schedules.pausedRecurring,
    stats: engine.stats.snapshot(),
  };
}

async function savedSchedules(engine: LocalEngine) {
  const schedules: OneTimeSchedule[] = [];
  const pausedRecurring: string[] = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await engine.scheduler.list(cursor ? { cursor } : {});
    for (const record of page.records) {
      if (record.kind === 'recurring' && !record.enabled) {
        const task = taskOf(record.body);
        if (task) pausedRecurring.push(task);
      }
      if (record.kind !== 'one-time' || !record.queue) continue;
      // A one-time schedule's Input is the job's envelope: it says everything the schedule was made from.
      const decoded = decodeEnvelope(record.body);
      if (!decoded.ok) continue;
      const { id, job, attempt, runAtMs } = decoded.envelope;
      schedules.push({
        jobId: id,
        jobName: job,
        attempt,
        queue: record.queue,
        runAtMs: runAtMs ?? engine.clock.nowMs(),
        body: record.body,
      });
    }
    cursor = page.cursor;
  }
  return { oneTime: schedules, pausedRecurring };
}

/** A recurring schedule's body template names its task (`firing.task`). */
function taskOf(body: string): string | undefined {
  try {
    const task = (JSON.parse(body) as { firing?: { task?: unknown } }).firing?.task;
    return typeof task === 'string' ? task : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts a saved state's messages and schedules into a new engine, one made with the saved records as its store and
 * a clock from the saved time: `createLocalEngine({ registry, store: createMemoryJobStore(state.records), clock:
 * createFastForwardClock(state.nowMs) })`.
 */
export async function restoreLocalEngine(engine: LocalEngine, state: LocalEngineState): Promise<void> {
  const known = new Set(engine.transport.queueNames());
  for (const [queue, saved] of Object.entries(state.queues)) {
    // A queue the registry no longer has: its messages could never be handled; they stay out.
    if (known.has(queue)) engine.transport.restore(queue, saved);
  }
  for (const schedule of state.schedules) await engine.scheduler.scheduleAt(schedule);
  // Each pause keeps the time it began (the store takes the time it is given as the pause's start).
  for (const pause of state.pauses ?? []) {
    const reason = pause.reason ? { reason: pause.reason } : {};
    await engine.store.setPause(
      { kind: pause.kind, name: pause.name },
      { paused: true, ...reason },
      pause.sinceMs,
    );
  }
  for (const task of state.pausedRecurring ?? []) await engine.scheduler.setRecurringEnabled(task, false);
  engine.stats.restore(state.stats);
}

/** Checks what a state file holds before anything trusts it; says what is wrong and how to start over. */
export function parseLocalEngineState(value: unknown, where: string): LocalEngineState {
  const state = value as Partial<LocalEngineState> | null;
  const problems: string[] = [];
  if (typeof state !== 'object' || state === null) problems.push('it is not a JSON object');
  else {
    if (state.v !== STATE_VERSION) problems.push(`version ${String(state.v)}, expected ${STATE_VERSION}`);
    if (typeof state.nowMs !== 'number') problems.push('nowMs is not a number');
    if (typeof state.queues !== 'object' || state.queues === null) problems.push('queues is not an object');
    if (!Array.isArray(state.records)) problems.push('records is not a list');
    if (!Array.isArray(state.schedules)) problems.push('schedules is not a list');
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `The local state in ${where} cannot be read (${problems.join('; ')}): delete it, or pass --fresh, to start over.`,
    );
  }
  return state as LocalEngineState;
}

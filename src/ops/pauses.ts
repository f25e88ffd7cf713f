import type { Clock } from '../clock.js';
import { ConfigError, InvalidOptionsError, NotFoundError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { JobStore, PauseRecord } from '../store/types.js';
import type { QueueConsumers } from './queue-consumers.js';
import type { ScheduleSource } from './schedule-source.js';
import type { Ops, Pausable, PauseReport, PauseView } from './types.js';

export interface PauseDeps {
  /** The queues ops knows: a queue pause names one of them. */
  readonly queues: readonly string[];
  readonly store?: JobStore;
  readonly registry?: JobRegistry;
  readonly schedules?: ScheduleSource;
  /** A queue's Lambda consumers (AWS only: the embedded engine and worker processes read the store's pause). */
  readonly consumers?: QueueConsumers;
  readonly clock: Clock;
}

/** Long enough to say why, short enough for a table cell and the one pause item the store keeps them all in. */
const MAX_REASON_LENGTH = 500;

/**
 * Pause and resume. A queue or job type is paused in the job table (one item every worker reads at most every
 * few seconds: see engine/pause-cache.ts), which the engine checks at claim and worker processes before they
 * receive; a queue is also switched off at Lambda (its event source mappings), so no invocation is spent on it.
 * The table is written first both ways: on pause, whatever Lambda still delivers before its mappings are off is
 * put off without an attempt; on resume, a mapping switched back on finds the pause gone.
 */
export function pauseOps(deps: PauseDeps): Pick<Ops, 'pause' | 'resume' | 'listPauses'> {
  const setPaused = async (target: Pausable, paused: boolean, reason?: string): Promise<PauseReport> => {
    check(deps, target, reason);
    if (paused) refuseFifoJob(deps, target);
    const action = paused ? 'pause' : 'resume';
    if (target.kind === 'schedule') return setSchedule(deps, target, paused);
    const store = requireStore(deps);
    const nowMs = deps.clock.nowMs();
    const before = find(await store.listPauses(nowMs), target);
    await store.setPause(
      { kind: target.kind, name: target.name },
      { paused, ...(reason ? { reason } : {}) },
      nowMs,
    );
    const after = paused ? find(await store.listPauses(nowMs), target) : undefined;
    const notes: string[] = [];
    if (paused && before) notes.push(`already paused since ${new Date(before.sinceMs).toISOString()}`);
    if (!paused && !before) notes.push('was not paused');
    const base = {
      action,
      target,
      changed: paused ? !before : before !== undefined,
      ...(after ? { pause: pauseViewOf(after) } : {}),
    } as const;
    if (target.kind !== 'queue' || !deps.consumers) return { ...base, notes };
    const eventSourceMappings = await deps.consumers.setEnabled(target.name, !paused);
    if (eventSourceMappings.length === 0)
      notes.push('no Lambda event source mapping consumes this queue (worker processes read the pause)');
    return {
      ...base,
      changed: base.changed || eventSourceMappings.some((m) => m.changed),
      eventSourceMappings,
      notes,
    };
  };
  return {
    pause: (target, options = {}) => setPaused(target, true, options.reason),
    resume: (target) => setPaused(target, false),
    async listPauses() {
      const stored = deps.store ? await deps.store.listPauses(deps.clock.nowMs()) : [];
      const schedules = deps.schedules ? await deps.schedules.list() : [];
      const paused = schedules
        .filter((s) => !s.enabled && s.kind === 'recurring')
        .map((s): PauseView => ({ kind: 'schedule', name: s.name, ...since(s.pausedSinceMs) }));
      return [...stored.map(pauseViewOf), ...paused];
    },
  };
}

async function setSchedule(deps: PauseDeps, target: Pausable, paused: boolean): Promise<PauseReport> {
  const action = paused ? 'pause' : 'resume';
  if (!deps.schedules?.setEnabled)
    throw new ConfigError('No schedules can be changed from here (none are configured).');
  const result = await deps.schedules.setEnabled(target.name, !paused);
  if (!result) throw new NotFoundError(`No recurring schedule "${target.name}".`);
  const { schedule, changed } = result;
  return {
    action,
    target,
    changed,
    ...(paused ? { pause: { ...target, ...since(schedule.pausedSinceMs) } } : {}),
    notes: changed ? [] : [paused ? 'was already paused' : 'was not paused'],
  };
}

function check(deps: PauseDeps, target: Pausable, reason: string | undefined): void {
  const problems: string[] = [];
  if (!['queue', 'job', 'schedule'].includes(target.kind))
    problems.push(`kind must be queue, job or schedule (received ${JSON.stringify(target.kind)})`);
  if (typeof target.name !== 'string' || target.name.trim() === '') problems.push('name must not be empty');
  if (reason !== undefined && reason.length > MAX_REASON_LENGTH)
    problems.push(`reason must be at most ${MAX_REASON_LENGTH} characters (received ${reason.length})`);
  // Scheduler keeps no reason, and putting one in the schedule's Description would change the schedule itself.
  if (reason !== undefined && target.kind === 'schedule')
    problems.push('a schedule pause keeps no reason (EventBridge Scheduler has no place for one)');
  if (problems.length > 0) throw new InvalidOptionsError('pause target', problems);
  if (target.kind === 'queue' && !deps.queues.includes(target.name))
    throw new NotFoundError(`No queue "${target.name}". Known queues: ${deps.queues.join(', ') || 'none'}.`);
  if (target.kind === 'job' && deps.registry && !deps.registry.get(target.name)) {
    const known = deps.registry.jobs.map((job) => job.name).join(', ');
    throw new NotFoundError(`No job named "${target.name}" in the registry. Known jobs: ${known}.`);
  }
}

/**
 * A FIFO job put off waits in place (its group keeps its order behind it), and every wait is one more receive
 * toward the queue's maxReceiveCount: paused for long, SQS would move its messages to the dead-letter queue
 * without a reason. Its queue can be paused instead: then nothing is received at all.
 */
function refuseFifoJob(deps: PauseDeps, target: Pausable): void {
  if (target.kind !== 'job') return;
  const job = deps.registry?.get(target.name);
  if (!job?.options.flow.group) return;
  throw new InvalidOptionsError(`pause of job "${target.name}"`, [
    `it runs on FIFO queue "${job.options.queue}", where a job put off waits in place and each wait counts toward the queue's maxReceiveCount: pause queue "${job.options.queue}" instead (nothing is received from a paused queue)`,
  ]);
}

function requireStore(deps: PauseDeps): JobStore {
  if (deps.store) return deps.store;
  throw new ConfigError(
    'Pausing a queue or job type writes to the job table, and none is configured: set WHARF_TABLE_NAME (or pass --table).',
  );
}

function find(pauses: readonly PauseRecord[], target: Pausable): PauseRecord | undefined {
  return pauses.find((p) => p.kind === target.kind && p.name === target.name);
}

/** A stored pause as ops shows it. */
export function pauseViewOf(record: PauseRecord): PauseView {
  return {
    kind: record.kind,
    name: record.name,
    sinceMs: record.sinceMs,
    ...(record.reason ? { reason: record.reason } : {}),
  };
}

function since(ms: number | undefined): { readonly sinceMs?: number } {
  return ms === undefined ? {} : { sinceMs: ms };
}

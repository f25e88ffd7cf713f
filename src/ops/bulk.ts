import type { Clock } from '../clock.js';
import { ConfigError, TransportError } from '../errors.js';
import { logicalQueueOf } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import type { HeldMessage, MoveTask, QueueAdmin } from '../transport/admin-types.js';
import { type CopyContext, discardByDelete, retryByCopy, Tally } from './copy-redrive.js';
import { matchesRef } from './dead-letter-view.js';
import { retryByMoveTask } from './move-redrive.js';
import { retryProblem } from './retry-check.js';
import type { BulkOptions, BulkReport, DeadLetterView, RedriveMethod, Selection } from './types.js';

export interface BulkDeps {
  readonly admin: QueueAdmin;
  readonly registry?: JobRegistry;
  readonly clock: Clock;
  readonly method: RedriveMethod;
  /** How long a bulk action holds each batch; long enough for the whole action on a large DLQ. */
  readonly holdSeconds: number;
  readonly pollMs: number;
  readonly view: (queue: string, message: HeldMessage) => DeadLetterView;
  /** Remembers, per ops instance, that the endpoint has no move tasks (so it is probed once). */
  readonly moveTasks: { unsupported?: string };
}

type MovedTask = MoveTask & { readonly queue: string };

export async function bulkRetry(
  deps: BulkDeps,
  selection: Selection,
  o: BulkOptions = {},
): Promise<BulkReport> {
  const queues = queuesOf(deps.admin, selection.queue);
  if ('all' in selection && deps.method !== 'copy' && !deps.moveTasks.unsupported) {
    const moved = await retryAllByMoveTasks(deps, queues, o);
    if (moved) return moved;
  }
  const report = await walkSelection(deps, queues, selection, o, retryByCopy, true);
  return {
    ...report,
    action: 'retry',
    method: 'copy',
    ...(deps.moveTasks.unsupported && 'all' in selection ? { fallback: deps.moveTasks.unsupported } : {}),
  };
}

export async function bulkDiscard(
  deps: BulkDeps,
  selection: Selection,
  o: BulkOptions = {},
): Promise<BulkReport> {
  const queues = queuesOf(deps.admin, selection.queue);
  const report = await walkSelection(deps, queues, selection, o, discardByDelete, false);
  return { ...report, action: 'discard', method: 'delete' };
}

/** Undefined when the endpoint turned out to have no move tasks (and `auto` falls back to copying). */
async function retryAllByMoveTasks(
  deps: BulkDeps,
  queues: readonly string[],
  o: BulkOptions,
): Promise<BulkReport | undefined> {
  const tasks: MovedTask[] = [];
  for (const queue of queues) {
    const result = await retryByMoveTask(deps.admin, queue, {
      clock: deps.clock,
      wait: o.waitForMoveTasks !== false,
      pollMs: deps.pollMs,
      ...pick(o, ['maxPerSecond', 'onProgress', 'signal']),
    });
    if (result.kind === 'unsupported') {
      const why = `message move tasks are not available on this endpoint (${result.why}); copied and deleted instead`;
      if (deps.method === 'move-task') throw new TransportError(why);
      deps.moveTasks.unsupported = why;
      if (tasks.length === 0) return undefined;
      throw new TransportError(`move tasks worked for some queues but not "${queue}": ${why}`);
    }
    tasks.push({ ...result.task, queue });
  }
  const failed = tasks
    .filter((t) => t.status === 'FAILED' || t.status === 'CANCELLED')
    .map((t) => ({
      queue: t.queue,
      code: `MoveTask${t.status === 'FAILED' ? 'Failed' : 'Cancelled'}`,
      message: t.failureReason ?? `the move task ended ${t.status.toLowerCase()} after ${t.moved} messages`,
    }));
  return { action: 'retry', method: 'move-task', succeeded: [], failed, notFound: [], moveTasks: tasks };
}

async function walkSelection(
  deps: BulkDeps,
  queues: readonly string[],
  selection: Selection,
  o: BulkOptions,
  act: (ctx: CopyContext) => Promise<void>,
  checkFirst: boolean,
): Promise<Omit<BulkReport, 'action' | 'method'>> {
  const refs = 'refs' in selection ? selection.refs : undefined;
  const found = new Map<string, 'message' | 'job'>();
  const totals = new Map<string, number>();
  const tally = new Tally(o.onProgress, (queue) => (refs ? refs.length : totals.get(queue)));
  const matches = (view: DeadLetterView) => {
    if (!refs) return true;
    const hits = refs.filter((ref) => matchesRef(view, ref));
    for (const ref of hits) found.set(ref, view.messageId === ref ? 'message' : 'job');
    return hits.length > 0;
  };
  // A job id can be carried by more than one dead letter (a copy whose original could not be deleted), so only
  // message ids let the walk stop before the end of the queue.
  const isDone = () => refs?.every((ref) => found.get(ref) === 'message') === true;
  for (const queue of queues) {
    if (isDone() || o.signal?.aborted) break;
    if (!refs) totals.set(queue, (await deps.admin.stats(queue)).deadLetters);
    await act({
      admin: deps.admin,
      queue,
      holdSeconds: deps.holdSeconds,
      view: (message) => deps.view(queue, message),
      matches,
      isDone,
      ...(checkFirst ? { check: (view, message) => retryProblem(deps.registry, view, message) } : {}),
      pace: pacer(deps.clock, o.maxPerSecond),
      tally,
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }
  const notFound = refs ? refs.filter((ref) => !found.has(ref)) : [];
  return { succeeded: tally.succeeded, failed: tally.failed, notFound, moveTasks: [] };
}

export function queuesOf(admin: QueueAdmin, queue: string | undefined): readonly string[] {
  if (queue === undefined) return admin.queues;
  // A queue's name selects it with every lane it has; `<queue>/<lane>` selects one lane.
  if (!queue.includes('/') && admin.queues.includes(queue))
    return admin.queues.filter((q) => logicalQueueOf(q) === queue);
  if (!admin.queues.includes(queue)) {
    throw new ConfigError(`Unknown queue "${queue}". Known queues: ${admin.queues.join(', ') || '(none)'}.`);
  }
  return [queue];
}

function pacer(clock: Clock, maxPerSecond: number | undefined): (count: number) => Promise<void> {
  if (!maxPerSecond) return async () => undefined;
  return (count) => clock.sleep(Math.ceil((count / maxPerSecond) * 1000));
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const result: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) result[key] = source[key];
  return result;
}

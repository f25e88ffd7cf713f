import type { Clock } from '../clock.js';
import type { MoveTask, QueueAdmin } from '../transport/admin-types.js';
import type { BulkProgress } from './types.js';

export interface MoveOptions {
  readonly clock: Clock;
  readonly maxPerSecond?: number;
  /** Wait until the task finishes, reporting its progress. */
  readonly wait: boolean;
  readonly pollMs: number;
  readonly onProgress?: (progress: BulkProgress) => void;
  readonly signal?: AbortSignal;
}

export type MoveResult =
  | { readonly kind: 'unsupported'; readonly why: string }
  | { readonly kind: 'moving'; readonly task: MoveTask };

/**
 * Retry of every dead letter of a queue with a message move task: SQS moves them server-side, at the rate asked
 * for, and keeps going if the CLI exits. Progress comes from ListMessageMoveTasks. Nothing is checked before the
 * move: a payload its job no longer accepts comes back to the DLQ from the worker with reason `invalid-payload`.
 */
export async function retryByMoveTask(admin: QueueAdmin, queue: string, o: MoveOptions): Promise<MoveResult> {
  const tasks = admin.moveTasks;
  if (!tasks) return { kind: 'unsupported', why: 'this queue service has no move tasks' };
  const started = await tasks.start(queue, o.maxPerSecond ? { maxPerSecond: o.maxPerSecond } : {});
  if (started.kind === 'unsupported') return started;
  let task = await newest(admin, queue);
  while (o.wait && (task.status === 'RUNNING' || task.status === 'CANCELLING') && !o.signal?.aborted) {
    report(o, queue, task);
    await o.clock.sleep(o.pollMs, o.signal).catch(() => undefined);
    task = await newest(admin, queue);
  }
  report(o, queue, task);
  return { kind: 'moving', task };
}

async function newest(admin: QueueAdmin, queue: string): Promise<MoveTask> {
  const [latest] = (await admin.moveTasks?.list(queue)) ?? [];
  // SQS lists a task once it is selected to start; until then it is as good as running with nothing moved.
  return latest ?? { status: 'RUNNING', moved: 0 };
}

function report(o: MoveOptions, queue: string, task: MoveTask): void {
  o.onProgress?.({
    queue,
    done: task.moved,
    failed: 0,
    ...(task.toMove !== undefined ? { total: task.toMove } : {}),
  });
}

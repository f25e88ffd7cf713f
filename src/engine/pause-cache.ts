import { logicalQueueOf } from '../job/lanes.js';
import type { JobStore, PauseRecord } from '../store/types.js';

/**
 * The paused queues and job types, read from the store at most once per `refreshMs` (one GetItem on DynamoDB), so
 * a pause costs the hot path nothing per job. A failed read keeps the last set read: a store that cannot be read
 * fails the claim that follows anyway, and the job comes back.
 */
export class PauseCache {
  private pauses: readonly PauseRecord[] = [];
  private readAtMs = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;

  constructor(
    private readonly store: JobStore,
    private readonly refreshMs: number,
  ) {}

  /**
   * True when the set read last is fresh and pauses neither the job type nor the queue: the hot path's check,
   * without a promise. False means "ask `pauseOf`" (stale, or something may be paused).
   */
  clearFor(jobName: string, queue: string, nowMs: number): boolean {
    if (this.refreshMs === 0 || nowMs - this.readAtMs >= this.refreshMs) return false;
    return this.pauses.length === 0 || this.find(jobName, queue) === undefined;
  }

  /** The pause that holds the job back, if any: its job type's, or its queue's. */
  async pauseOf(jobName: string, queue: string, nowMs: number): Promise<PauseRecord | undefined> {
    if (nowMs - this.readAtMs >= this.refreshMs || this.refreshMs === 0) await this.refresh(nowMs);
    return this.find(jobName, queue);
  }

  /** A lane's queue (`<queue>/<lane>`) is paused with its queue. */
  private find(jobName: string, queue: string): PauseRecord | undefined {
    const logical = logicalQueueOf(queue);
    return this.pauses.find(
      (p) => (p.kind === 'job' && p.name === jobName) || (p.kind === 'queue' && p.name === logical),
    );
  }

  /** Whether the queue itself is paused (a worker process then does not receive from it). */
  async isQueuePaused(queue: string, nowMs: number): Promise<boolean> {
    if (nowMs - this.readAtMs >= this.refreshMs || this.refreshMs === 0) await this.refresh(nowMs);
    const logical = logicalQueueOf(queue);
    return this.pauses.some((p) => p.kind === 'queue' && p.name === logical);
  }

  private refresh(nowMs: number): Promise<void> {
    // One read at a time: the records of a batch share it.
    this.pending ??= this.store
      .listPauses(nowMs)
      .then(
        (pauses) => {
          this.pauses = pauses;
          this.readAtMs = nowMs;
        },
        () => undefined,
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

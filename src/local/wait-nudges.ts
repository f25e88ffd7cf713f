import type { WaitNudges } from '../client/wait-for.js';

/**
 * The embedded engine runs its jobs in the waiter's own process, so a `waitFor` need not sleep out its poll
 * pause: every engine event of its job wakes it to read the record again. Polling stays the rule (an event
 * comes before or after its store write, and the clock may be manual), the nudge only shortens the pause.
 */
export class WaitNudgeHub {
  private readonly waiters = new Map<string, Set<() => void>>();

  readonly subscribe: WaitNudges = (jobId, nudge) => {
    const set = this.waiters.get(jobId) ?? new Set();
    set.add(nudge);
    this.waiters.set(jobId, set);
    return () => {
      set.delete(nudge);
      if (set.size === 0 && this.waiters.get(jobId) === set) this.waiters.delete(jobId);
    };
  };

  notify(jobId: string | undefined): void {
    if (jobId === undefined) return;
    for (const nudge of [...(this.waiters.get(jobId) ?? [])]) nudge();
  }
}

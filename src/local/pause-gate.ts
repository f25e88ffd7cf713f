import { jobNameOfBody } from '../envelope/decode.js';
import type { MemoryScheduler } from '../schedule/memory-scheduler.js';
import type { JobStore } from '../store/types.js';
import type { MemoryTransport } from '../transport/memory/index.js';
import type { LaneDelivery } from './lane-delivery.js';

/**
 * What the embedded engine delivers from, given what is paused. A paused queue is not delivered from, as worker
 * processes do not receive from one (and Lambda's mappings are off): its messages, every lane's, wait, and
 * runUntilIdle does not wait for them. A paused job type's messages are put off whenever they come back, so
 * runUntilIdle does not wait for them either. Read on every tick, so a pause or resume holds from the next tick on.
 */
export class PauseGate {
  deliverable: readonly LaneDelivery[];
  pausedJobs: ReadonlySet<string> = new Set();

  constructor(private readonly queues: readonly LaneDelivery[]) {
    this.deliverable = queues;
  }

  /** A store that cannot be read keeps the last answer, as the engine's pause cache does. */
  async refresh(store: JobStore, nowMs: number): Promise<void> {
    const paused = await Promise.resolve()
      .then(() => store.listPauses(nowMs))
      .catch(() => undefined);
    if (!paused) return;
    this.deliverable = this.queues.filter(
      (queue) => !paused.some((p) => p.kind === 'queue' && p.name === queue.addresses[0]),
    );
    this.pausedJobs = new Set(paused.filter((p) => p.kind === 'job').map((p) => p.name));
  }
}

/**
 * When there is something to do next: a message of a queue that is not paused (and not of a paused job type), a
 * one-time schedule, or a recurring firing that falls before
 * either of those or by `until`. Undefined when only recurring tasks remain (and `until` has passed).
 */
export function nextWork(
  transport: MemoryTransport,
  scheduler: MemoryScheduler,
  until: number | undefined,
  held: Pick<PauseGate, 'deliverable' | 'pausedJobs'>,
): number | undefined {
  const addresses = held.deliverable.flatMap((queue) => queue.addresses);
  const messages = addresses.map((queue) =>
    held.pausedJobs.size === 0
      ? transport.nextVisibleAtMs(queue)
      : earliest(
          ...transport
            .peek(queue)
            .filter((m) => !held.pausedJobs.has(jobNameOfBody(m.body)))
            .map((m) => m.visibleAtMs),
        ),
  );
  const work = earliest(...messages, scheduler.nextOneTimeAtMs());
  const recurring = scheduler.nextRecurringAtMs();
  if (recurring === undefined) return work;
  const inReach = (until !== undefined && recurring <= until) || (work !== undefined && recurring <= work);
  return inReach ? earliest(work, recurring) : work;
}

function earliest(...times: (number | undefined)[]): number | undefined {
  const defined = times.filter((t): t is number => t !== undefined);
  return defined.length === 0 ? undefined : Math.min(...defined);
}

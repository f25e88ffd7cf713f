import type { DeferWhy, JobEvent, JobEventType } from '../engine/events.js';

/** What happened during a run of the embedded engine, counted from the engine's own events. */
export interface RunSummary {
  /** Messages taken off a queue and handled (a retry is a new message). */
  readonly messages: number;
  readonly byOutcome: Readonly<Partial<Record<JobEventType, number>>>;
  readonly byJob: Readonly<Record<string, Readonly<Partial<Record<JobEventType, number>>>>>;
  /** Deliveries put off without running, by why (a concurrency limit, a throttle, a pause...); hops not counted. */
  readonly deferredBy: Readonly<Partial<Record<DeferWhy, number>>>;
  /** Time that passed on the engine's clock (fast-forwarded waits included). */
  readonly simulatedMs: number;
  readonly wallMs: number;
}

const COUNTED: readonly JobEventType[] = [
  'succeeded',
  'retrying',
  'dead',
  'discarded',
  'duplicate',
  'deferred',
  'released',
  'lease-lost',
  'superseded',
  'expired',
  'cancelled',
  'debounced',
];

export class SummaryCounter {
  private messages = 0;
  private readonly byOutcome: Partial<Record<JobEventType, number>> = {};
  private readonly byJob: Record<string, Partial<Record<JobEventType, number>>> = {};
  private readonly deferredBy: Partial<Record<DeferWhy, number>> = {};

  record(event: JobEvent): void {
    if (!COUNTED.includes(event.type)) return;
    // A long delay travels in 15-minute hops: each hop is transport plumbing, not an outcome of the job.
    if (event.type === 'deferred' && event.why === 'not-due') return;
    if (event.type === 'deferred') this.deferredBy[event.why] = (this.deferredBy[event.why] ?? 0) + 1;
    this.byOutcome[event.type] = (this.byOutcome[event.type] ?? 0) + 1;
    const name = event.jobName ?? '(unreadable message)';
    const job = this.byJob[name] ?? {};
    job[event.type] = (job[event.type] ?? 0) + 1;
    this.byJob[name] = job;
  }

  addMessages(count: number): void {
    this.messages += count;
  }

  snapshot(simulatedMs: number, wallMs: number): RunSummary {
    return {
      messages: this.messages,
      byOutcome: { ...this.byOutcome },
      byJob: Object.fromEntries(Object.entries(this.byJob).map(([k, v]) => [k, { ...v }])),
      deferredBy: { ...this.deferredBy },
      simulatedMs,
      wallMs,
    };
  }
}

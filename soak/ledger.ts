import type { DeadLetterSeen } from './dead-letters';
import type { EffectLine, PlannedJob } from './jobs';
import type { WorkerLine } from './protocol';

type EventLine = Extract<WorkerLine, { type: 'event' }>;
type FaultLine = Extract<WorkerLine, { type: 'fault' }>;

/**
 * Everything the driver learns about each job while the run goes on: engine events from every worker (a killed
 * worker's events up to its kill), dead letters taken off the DLQ, and at the end the effects file. Jobs are
 * indexed by their position in the plan (job id `soak-<n>`).
 */
export class Ledger {
  /** `succeeded` events: each is printed after the outcome is durable (for tracked and exactly-once, recorded). */
  readonly succeeded: Uint16Array;
  /** Bit k-1 set: a `succeeded` event with attempt k was seen. */
  readonly succeededAttempts: Uint16Array;
  /** `duplicate` events: an exactly-once delivery of a job already completed, acknowledged without running. */
  readonly duplicates: Uint16Array;
  /** `started` events: runs of `perform`. */
  readonly started: Uint16Array;
  /** Bit k-1 set: a `started` event with attempt k was seen. */
  readonly startedAttempts: Uint16Array;
  /** Effect lines: runs that reached the middle of a job that then goes on to succeed. */
  readonly effects: Uint16Array;
  /** When each effect happened, per job of the `steps` kind (its effect is a durable step). */
  readonly effectTimes = new Map<number, number[]>();
  readonly deadLetters = new Map<number, DeadLetterSeen[]>();
  /** Dead letters whose body names no job of the plan. */
  readonly strayDeadLetters: DeadLetterSeen[] = [];
  readonly eventCounts = new Map<string, number>();
  readonly faultCounts = new Map<string, number>();
  readonly faultsByJob = new Map<number, string[]>();
  private readonly accountedFor: Uint8Array;
  private accountedCount = 0;

  constructor(readonly plan: readonly PlannedJob[]) {
    const n = plan.length;
    this.succeeded = new Uint16Array(n);
    this.succeededAttempts = new Uint16Array(n);
    this.duplicates = new Uint16Array(n);
    this.started = new Uint16Array(n);
    this.startedAttempts = new Uint16Array(n);
    this.effects = new Uint16Array(n);
    this.accountedFor = new Uint8Array(n);
  }

  /** Jobs with an outcome seen so far: a success, an exactly-once duplicate of a success, or a dead letter. */
  get accounted(): number {
    return this.accountedCount;
  }

  indexOf(jobId: string | undefined): number | undefined {
    if (jobId === undefined || !jobId.startsWith('soak-')) return undefined;
    const n = Number(jobId.slice(5));
    return Number.isInteger(n) && n >= 0 && n < this.plan.length ? n : undefined;
  }

  onEvent(line: EventLine): void {
    const key = line.detail === undefined ? line.event : `${line.event} (${line.detail})`;
    this.eventCounts.set(key, (this.eventCounts.get(key) ?? 0) + 1);
    const n = this.indexOf(line.jobId);
    if (n === undefined) return;
    if (line.event === 'started') {
      this.started[n]! += 1;
      this.startedAttempts[n]! |= attemptBit(line.attempt);
    } else if (line.event === 'succeeded') {
      this.succeeded[n]! += 1;
      this.succeededAttempts[n]! |= attemptBit(line.attempt);
      this.account(n);
    } else if (line.event === 'duplicate') {
      this.duplicates[n]! += 1;
      this.account(n);
    }
  }

  onFault(line: FaultLine): void {
    const key = `${line.kind}`;
    this.faultCounts.set(key, (this.faultCounts.get(key) ?? 0) + 1);
    for (const jobId of line.jobIds) {
      const n = this.indexOf(jobId);
      if (n === undefined) continue;
      const list = this.faultsByJob.get(n) ?? [];
      list.push(`${line.kind} ${line.error} on ${line.command}`);
      this.faultsByJob.set(n, list);
    }
  }

  onDeadLetter(deadLetter: DeadLetterSeen): void {
    const n = this.indexOf(deadLetter.jobId);
    if (n === undefined) {
      this.strayDeadLetters.push(deadLetter);
      return;
    }
    const list = this.deadLetters.get(n) ?? [];
    list.push(deadLetter);
    this.deadLetters.set(n, list);
    this.account(n);
  }

  onEffect(line: EffectLine): void {
    const n = this.indexOf(line.jobId);
    if (n === undefined) return;
    this.effects[n]! += 1;
    if (line.kind === 'steps') this.effectTimes.set(n, [...(this.effectTimes.get(n) ?? []), line.atMs]);
  }

  private account(n: number): void {
    if (this.accountedFor[n]) return;
    this.accountedFor[n] = 1;
    this.accountedCount += 1;
  }
}

/** Attempts 1 to 16 as bits of a Uint16Array cell; attempts beyond do not occur (at most 4, or 5 after crashes). */
export function attemptBit(attempt: number | undefined): number {
  return attempt !== undefined && attempt >= 1 && attempt <= 16 ? 1 << (attempt - 1) : 0;
}

import type { RecordStart, RunRef } from './types.js';

// The durable steps a job record keeps and the inputs of the JobStore's step writes (README "Durable steps"),
// apart from the port itself so that src/store/types.ts stays one idea: the job record and its store.

/** One completed durable step, or a sleep (JobRecord.steps). */
export interface StoredStep {
  /** When it completed (a sleep: when it began). */
  readonly atMs: number;
  /** Its result as JSON keeps it; absent when it returned nothing. */
  readonly result?: unknown;
  /** A sleep's wake time (epoch ms). */
  readonly wakeAtMs?: number;
}

export type StepMap = Readonly<Record<string, StoredStep>>;

/** A step completed: the run writes the job's whole step map (it read it first), fenced in exactly-once mode. */
export interface StepInput extends RunRef, RecordStart {
  readonly steps: StepMap;
}

/**
 * The run sleeps (`ctx.sleep`): its steps with the sleep among them, the record back to `queued` with the same
 * attempt to come (so the wake message claims it without using one), and the wake time as its deferral note.
 */
export interface SuspendInput extends RunRef, RecordStart {
  readonly steps: StepMap;
  readonly untilMs: number;
  /** Times the job was put off so far, this sleep included. */
  readonly deferrals: number;
}

import type { JobRecord } from './types.js';

// The inputs and answers of the JobStore's enqueue-control operations (README "Unique jobs", "Debounce",
// "Cancel"), apart from the port itself so that src/store/types.ts stays one idea: the job record and its store.

export interface UniqueInput {
  /** Scoped by job name by the caller: `<job name>/<key>`. */
  readonly key: string;
  /** The job id that takes the key. */
  readonly holder: string;
  readonly nowMs: number;
  /** When the lock frees itself whatever happens. */
  readonly lockExpiresAtMs: number;
}

export type UniqueResult =
  /** The key is `holder`'s now (or already was: a retried enqueue of the same job). */
  | { readonly kind: 'acquired' }
  /** Another job holds it. */
  | { readonly kind: 'held'; readonly holder: string; readonly lockExpiresAtMs: number };

export interface UniqueRef {
  readonly key: string;
  readonly holder: string;
  readonly nowMs: number;
}

export interface DebounceInput {
  /** Scoped by job name by the caller: `<job name>/<key>`. */
  readonly key: string;
  /** Unique per enqueue: the message that carries it runs the burst only if it is still the latest. */
  readonly token: string;
  /** The job id a new burst takes; a burst already open keeps its own. */
  readonly jobId: string;
  /** The enqueued envelope's payload, which the run of the burst gets if this enqueue stays the latest. */
  readonly payload: unknown;
  readonly nowMs: number;
  /** For a new burst: when it runs at the latest (`maxWait` after now), absent for no limit. */
  readonly deadlineMs?: number;
  /** When the item expires whatever happens (well after the burst's last possible run). */
  readonly expiresAtSec: number;
}

/** The burst an enqueue joined (or opened). */
export interface DebounceWindow {
  readonly jobId: string;
  readonly firstAtMs: number;
  readonly deadlineMs?: number;
  /** Enqueues in the burst so far, this one included. */
  readonly count: number;
}

export interface TakeDebounceInput {
  readonly key: string;
  readonly token: string;
  /** The burst this message belongs to (its envelope's id): a message of a burst that already ran is superseded. */
  readonly jobId: string;
  /** The job's `wait`: the burst is due `wait` after its latest enqueue (or at its deadline). */
  readonly waitMs: number;
  readonly nowMs: number;
}

export type TakeDebounceResult =
  /** Run the burst, with this payload (the latest), as `jobId`. */
  | { readonly kind: 'run'; readonly jobId: string; readonly payload: unknown; readonly count: number }
  /** Its burst already ran (or never opened): acknowledge this message without running. */
  | { readonly kind: 'superseded' }
  /**
   * A later enqueue carries the burst, which is not due yet: come back at `untilMs` (the burst's due time and a
   * grace). By then the later message has run it, or it never arrived (its send failed) and this one runs it:
   * an enqueue that was answered `enqueued` is never lost to a later one that failed.
   */
  | { readonly kind: 'wait'; readonly untilMs: number };

export interface SkipInput {
  readonly jobId: string;
  readonly jobName: string;
  readonly queue: string;
  readonly status: 'expired' | 'cancelled';
  readonly reason: string;
  readonly createdAtMs: number;
  readonly nowMs: number;
  readonly expiresAtSec: number;
  readonly payload?: unknown;
}

export interface CancelInput {
  readonly jobId: string;
  readonly nowMs: number;
  /** For a record the cancellation creates (the job has not been claimed yet). */
  readonly expiresAtSec: number;
}

export type CancelRequestResult =
  /** It had not started: its record is `cancelled` now, and a claim of it never runs it. */
  | { readonly kind: 'cancelled'; readonly record?: JobRecord }
  /** It is running: marked, so its heartbeat aborts `ctx.signal` and no retry starts. */
  | { readonly kind: 'running'; readonly record: JobRecord }
  /** It had already ended: nothing changed. */
  | { readonly kind: 'finished'; readonly record: JobRecord };

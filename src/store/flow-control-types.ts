// The inputs and answers of the JobStore's flow-control operations (README "Flow control"), apart from the port
// itself so that src/store/types.ts stays one idea: the job record and its store.

/**
 * One slot of a concurrency limit. `key` is the whole limit's identity (the engine scopes it by job name:
 * `<job name>/<key>`); each run takes a slot under its own `holder`.
 */
export interface SlotInput {
  readonly key: string;
  readonly limit: number;
  /** Unique per run: the release names it. */
  readonly holder: string;
  readonly nowMs: number;
  /** When the slot frees itself if the holder never gives it back (the run crashed): the run's lease end. */
  readonly leaseExpiresAtMs: number;
}

export type SlotResult =
  | { readonly kind: 'acquired' }
  /** Every slot is held by a live holder; `earliestLeaseEndMs` is the soonest a crashed holder's slot frees. */
  | { readonly kind: 'full'; readonly holders: number; readonly earliestLeaseEndMs: number };

export interface SlotRef {
  readonly key: string;
  readonly holder: string;
  readonly nowMs: number;
}

/**
 * A throttle's state for one key, as GCRA keeps it: starts are spaced `periodMs / limit` apart, and `burst` more
 * may start at once after a quiet time.
 */
export interface ThrottleInput {
  /** The throttle's identity (the engine scopes it by job name: `<job name>/<key>`). */
  readonly key: string;
  readonly limit: number;
  readonly periodMs: number;
  readonly burst: number;
  readonly nowMs: number;
}

/**
 * Every call takes a start: now, or a reserved one later (the caller puts the job off until `atMs` and starts
 * it then without asking again). So a throttled job costs one call, and jobs start in the order they asked.
 */
export type ThrottleResult = { readonly kind: 'now' } | { readonly kind: 'reserved'; readonly atMs: number };

export type PauseKind = 'queue' | 'job';

export interface PauseTarget {
  readonly kind: PauseKind;
  /** The queue's logical name or the job's name. */
  readonly name: string;
}

export interface PauseRecord extends PauseTarget {
  readonly sinceMs: number;
  readonly reason?: string;
}

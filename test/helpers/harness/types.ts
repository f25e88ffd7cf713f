import type { Clock, Enqueuer, JobDefinition, JobEvent, WharfClient } from 'wharf-jobs';
import type { JobStore } from 'wharf-jobs/adapters';

export interface DeadLetterView {
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * One engine behind a real adapter path: the embedded engine (memory queues, manual clock), the Lambda handler
 * fed by a simulated event source mapping from moto's SQS with the job state in moto's DynamoDB, or the test
 * helpers (wharf-jobs/testing's performEnqueued).
 */
export interface HarnessEnv {
  readonly client: Enqueuer;
  /** The client's `cancel`, where the harness's client has one (not test mode's capture). */
  readonly cancel?: WharfClient['cancel'];
  readonly store: JobStore;
  readonly clock: Clock;
  readonly events: JobEvent[];
  readonly queue: string;
  /** Hands what is due now to the adapter once. Returns the number of messages handled. */
  deliver(): Promise<number>;
  /** Delivers until the queue is empty (waits for delayed messages: fast-forwarded or real). */
  drain(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Moves time on: the manual clock jumps, the real one is waited for. */
  advance(ms: number): Promise<void>;
  /** Dead letters as plain receives (what the AWS console shows). */
  deadLetters(): Promise<DeadLetterView[]>;
  /** Puts a raw body on the queue, bypassing the client (poison input). */
  sendRaw(body: string): Promise<void>;
  /** Makes the next `times` job-store claims fail as if DynamoDB were down. */
  failStoreClaims(times: number): void;
  teardown(): Promise<void>;
}

export interface HarnessOptions {
  readonly unknownJobDeferrals?: number;
  /** Visibility timeout of the queue: how soon a released message returns. */
  readonly visibilityTimeoutSeconds?: number;
  /** @default '10s' as in production */
  readonly leaseMargin?: `${number}s`;
  /** Wraps the job store the engine uses (to delay or fail chosen writes). */
  readonly wrapStore?: (store: JobStore) => JobStore;
}

export interface Harness {
  readonly name: string;
  /** Per-run real waits are capped; the embedded engine never really waits. */
  readonly realTime: boolean;
  /**
   * Whether a message still being run comes back once its visibility timeout lapses (SQS, the memory queue).
   * Test mode hands each message out once. @default true
   */
  readonly redeliversInFlight?: boolean;
  setup(jobs: readonly JobDefinition[], options?: HarnessOptions): Promise<HarnessEnv>;
}

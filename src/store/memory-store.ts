import { LeaseLostError } from '../errors.js';
import { decideClaim, isExpired } from './claim-decision.js';
import { canSkip, decideCancel } from './enqueue-control-decision.js';
import { decodeCursor, encodeCursor, listLimit, newestFirst } from './list-query.js';
import { createMemoryBatches } from './memory-batches.js';
import { createMemoryEnqueueControl } from './memory-enqueue-control.js';
import { createMemoryFlowControl } from './memory-flow-control.js';
import {
  applyChange,
  cancelChange,
  cancelRunningChange,
  claimChange,
  deferralChange,
  extendLeaseChange,
  failChange,
  progressChange,
  type RecordChange,
  releaseChange,
  skipChange,
  stepChange,
  succeedChange,
  suspendChange,
} from './record-change.js';
import type { ClaimInput, ClaimResult, JobRecord, JobStatus, JobStore, ListQuery } from './types.js';

interface MemoryCursor {
  readonly status: JobStatus | null;
  readonly afterMs: number;
  readonly afterId: string;
}

/**
 * The in-memory JobStore: the embedded engine's store and the reference the DynamoDB adapter is held to (both
 * pass test/integration/store-conformance). Records are copied in and out, so callers cannot change stored
 * state through an object they hold. Time comes only from the `nowMs` arguments.
 */
export function createMemoryJobStore(initial: readonly JobRecord[] = []): JobStore {
  // `initial`: records saved by an earlier process (the CLI's local state), taken as they were written.
  const records = new Map<string, JobRecord>(initial.map((r) => [r.jobId, copy(r)]));
  const flow = createMemoryFlowControl();
  const enqueueControl = createMemoryEnqueueControl();
  const read = (jobId: string) => copy(records.get(jobId));
  const write = (record: JobRecord) => void records.set(record.jobId, copy(record));

  /** Writes as the run holding `fence`, or as anyone when there is no fence (tracked mode). */
  const writeAsRun = (
    jobId: string,
    fence: number | undefined,
    change: RecordChange,
    recorded?: JobStatus,
  ) => {
    // Read without a copy: applyChange builds a new record from it, and write() stores a copy of that.
    const existing = records.get(jobId);
    if (fence !== undefined && (existing?.fence !== fence || existing.status !== 'running')) {
      // The same run's write, already applied (the DynamoDB adapter sees this when a retried request lands twice).
      if (existing?.fence === fence && existing.status === recorded) return;
      throw new LeaseLostError(jobId, fence);
    }
    write(applyChange(existing, change));
  };

  return {
    async claim(input) {
      return claimIn(records, input);
    },
    async succeed(input) {
      writeAsRun(input.jobId, input.fence, succeedChange(input), 'succeeded');
    },
    async fail(input) {
      writeAsRun(input.jobId, input.fence, failChange(input), input.status);
    },
    async release(ref) {
      writeAsRun(ref.jobId, ref.fence, releaseChange(ref.attempt, ref.nowMs), 'queued');
    },
    async completeStep(input) {
      writeAsRun(input.jobId, input.fence, stepChange(input));
    },
    async suspend(input) {
      writeAsRun(input.jobId, input.fence, suspendChange(input), 'queued');
    },
    async extendLease(ref) {
      writeAsRun(ref.jobId, ref.fence, extendLeaseChange(ref.leaseExpiresAtMs));
      return { cancelRequested: records.get(ref.jobId)?.cancelRequestedAtMs !== undefined };
    },
    async progress(jobId, progress, nowMs) {
      const existing = read(jobId);
      if (!existing || isExpired(existing, nowMs) || !PROGRESS_STATUSES.has(existing.status)) return;
      write(applyChange(existing, progressChange(progress, nowMs)));
    },
    async get(jobId, nowMs) {
      const record = read(jobId);
      return record && !isExpired(record, nowMs) ? record : undefined;
    },
    async list(query, nowMs) {
      return listIn(records, query, nowMs);
    },
    ...flow,
    ...enqueueControl,
    ...createMemoryBatches(),
    async recordSkipped(input) {
      const existing = records.get(input.jobId);
      if (!canSkip(existing, input.nowMs)) return 'started';
      const expired = existing !== undefined && isExpired(existing, input.nowMs);
      write(applyChange(expired ? { fence: existing.fence } : existing, skipChange(input)));
      return 'recorded';
    },
    async requestCancel(input) {
      const existing = read(input.jobId);
      const kind = decideCancel(existing, input.nowMs);
      if (kind === 'finished') return { kind, record: existing! };
      if (kind === 'running') {
        const record = applyChange(existing, cancelRunningChange(input.nowMs));
        write(record);
        return { kind, record: copy(record) };
      }
      const expired = existing !== undefined && isExpired(existing, input.nowMs);
      const base = expired ? { fence: existing.fence } : existing;
      const record = applyChange(base, cancelChange(input.jobId, input.nowMs, input.expiresAtSec));
      write(record);
      return { kind, record: copy(record) };
    },
    async noteDeferral(input) {
      const existing = read(input.jobId);
      const expired = existing !== undefined && isExpired(existing, input.nowMs);
      if (existing && !expired && !DEFERRABLE_STATUSES.has(existing.status)) return;
      // A record past its retention is replaced; only its fence carries on, so no earlier run's fence is reissued.
      const base = expired ? { fence: existing.fence } : existing;
      write(applyChange(base, deferralChange(input)));
    },
  };
}

/** A job waits in these statuses; a note on a running or finished record would tell a story that is not true. */
const DEFERRABLE_STATUSES: ReadonlySet<JobStatus> = new Set(['queued', 'retrying']);

/** Progress from a run that already finished must not overwrite the final state. */
const PROGRESS_STATUSES: ReadonlySet<JobStatus> = new Set(['running', 'queued', 'retrying']);

function claimIn(records: Map<string, JobRecord>, input: ClaimInput): ClaimResult {
  const existing = copy(records.get(input.jobId));
  const decision = decideClaim(existing, input);
  if (decision.kind !== 'claim') return decision;
  // A record past its retention starts over; only its fence carries on, so no earlier run's fence is reissued.
  const startsOver = decision.ground === 'absent' || decision.ground === 'expired';
  const base = startsOver ? { fence: existing?.fence ?? 0 } : existing;
  const record = applyChange(base, claimChange(input, decision.attempt));
  records.set(record.jobId, copy(record));
  return {
    kind: 'claimed',
    attempt: record.attempt,
    fence: record.fence,
    leaseExpiresAtMs: record.leaseExpiresAtMs!,
    ...(record.steps ? { steps: record.steps } : {}),
  };
}

function listIn(records: Map<string, JobRecord>, query: ListQuery, nowMs: number) {
  const limit = listLimit(query);
  const status = query.status ?? null;
  const isCursorOfThisQuery = (c: unknown): c is MemoryCursor => isMemoryCursor(c) && c.status === status;
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, isCursorOfThisQuery);
  const matching = [...records.values()]
    .filter((r) => (status === null || r.status === status) && !isExpired(r, nowMs))
    .sort(newestFirst)
    .filter(
      (r) =>
        !after ||
        r.updatedAtMs < after.afterMs ||
        (r.updatedAtMs === after.afterMs && r.jobId > after.afterId),
    );
  const page = matching.slice(0, limit).map((r) => copy(r)!);
  const last = page.at(-1);
  const more = matching.length > limit && last !== undefined;
  return {
    records: page,
    ...(more ? { cursor: encodeCursor({ status, afterMs: last.updatedAtMs, afterId: last.jobId }) } : {}),
  };
}

function isMemoryCursor(state: unknown): state is MemoryCursor {
  if (typeof state !== 'object' || state === null) return false;
  const c = state as Record<string, unknown>;
  return (
    (c.status === null || typeof c.status === 'string') &&
    typeof c.afterMs === 'number' &&
    typeof c.afterId === 'string'
  );
}

/** Records hold only JSON values, so a JSON round trip is a complete deep copy (and mirrors what DynamoDB keeps). */
function copy<T extends JobRecord | undefined>(record: T): T {
  return record === undefined ? record : (JSON.parse(JSON.stringify(record)) as T);
}

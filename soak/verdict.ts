import type { JobRecord } from 'wharf-jobs';
import type { DeadLetterSeen } from './dead-letters';
import { EFFECT_STEP, KINDS, type PlannedJob, type SoakKind } from './jobs';
import { attemptBit, type Ledger } from './ledger';

/** What the run came to, per kind of job and in total. The rules are in the comments of `judgeJob`. */
export interface Verdict {
  readonly byKind: Readonly<Record<SoakKind, ModeTally>>;
  readonly lost: readonly string[];
  readonly duplicateCompletions: readonly string[];
  readonly effectsTwice: number;
  /**
   * `steps` jobs whose effect ran again after its step had completed (an effect later than the completion time
   * the record keeps): what durable steps promise never happens. An effect run twice because a run was killed
   * after the effect and before its step was stored is counted in `effectsTwice`, not here.
   */
  readonly effectsAfterCompletedStep: readonly string[];
  readonly deadLettersWithoutReason: readonly DeadLetterSeen[];
  readonly wrongOutcomes: readonly string[];
  /** Exactly-once jobs dead-lettered because crashed runs used up their attempts (wharf counts a crashed run). */
  readonly deadAfterCrashes: number;
  /** Dead-lettered tracked or exactly-once jobs whose record was left in another status (its write failed). */
  readonly staleRecords: readonly string[];
  /**
   * Exactly-once attempts used without a run: attempt numbers below the job's highest started attempt that no
   * `started` event carried. A kill between a claim and its run causes them (the lapsed lease counts as a crashed
   * run); so does a claim whose write landed but whose response was lost, which the engine takes for a failed
   * claim and releases.
   */
  readonly attemptsWithoutRun: readonly string[];
}

export interface ModeTally {
  jobs: number;
  succeeded: number;
  deadLettered: number;
  lost: number;
  runs: number;
  /** Jobs whose success was reported by two or more `succeeded` events. */
  completedTwice: number;
  /** Exactly-once deliveries of completed jobs, acknowledged without running. */
  duplicatesAcked: number;
  effectsTwice: number;
  /**
   * Jobs with two or more dead letters: a dead letter is written before its message is deleted, so a kill or a
   * lost response in between writes it again, and a duplicated message of a failing job in off or tracked mode
   * runs its own chain of retries to its own dead letter.
   */
  deadLetteredTwice: number;
}

export function judge(ledger: Ledger, records: ReadonlyMap<number, JobRecord | undefined>): Verdict {
  const byKind = Object.fromEntries(KINDS.map((kind) => [kind, emptyTally()])) as Record<SoakKind, ModeTally>;
  const effectsAfterCompletedStep: string[] = [];
  const lost: string[] = [];
  const duplicateCompletions: string[] = [];
  const wrongOutcomes: string[] = [];
  const staleRecords: string[] = [];
  const attemptsWithoutRun: string[] = [];
  let effectsTwice = 0;
  let deadAfterCrashes = 0;
  ledger.plan.forEach((job, n) => {
    const tally = byKind[job.kind];
    const deadLetters = ledger.deadLetters.get(n) ?? [];
    const withReason = deadLetters.filter((d) => d.reason !== undefined);
    const record = records.get(n);
    // The durable record is the truth for the modes that keep one; `off` keeps none, so its events are.
    const succeeded = job.mode === 'off' ? ledger.succeeded[n]! > 0 : record?.status === 'succeeded';
    tally.jobs += 1;
    tally.runs += ledger.started[n]!;
    tally.duplicatesAcked += ledger.duplicates[n]!;
    if (succeeded) tally.succeeded += 1;
    if (withReason.length > 0) tally.deadLettered += 1;
    if (withReason.length > 1) tally.deadLetteredTwice += 1;
    // Lost: neither completed nor dead-lettered with a reason. A job SQS moved to the DLQ by itself is lost too.
    if (!succeeded && withReason.length === 0) {
      tally.lost += 1;
      lost.push(`${job.jobId} (${job.mode}, ${job.payload.behaviour}): ${story(ledger, n, record)}`);
    }
    if (ledger.succeeded[n]! > 1) {
      tally.completedTwice += 1;
      // Only exactly-once promises one completion; off and tracked are at-least-once and may record it again.
      if (job.mode === 'exactly-once') duplicateCompletions.push(`${job.jobId}: ${story(ledger, n, record)}`);
    } else if (job.mode === 'exactly-once' && secondCompletionUnreported(ledger, n, record)) {
      // A run killed between its durable write and its event reports nothing; the record still tells.
      duplicateCompletions.push(
        `${job.jobId}: the record's attempt is not the one its succeeded event reported; ${story(ledger, n, record)}`,
      );
    }
    if (ledger.effects[n]! > 1) {
      tally.effectsTwice += 1;
      effectsTwice += 1;
    }
    if (job.kind === 'steps') {
      const completedAtMs = record?.steps?.[EFFECT_STEP]?.atMs;
      const after = (ledger.effectTimes.get(n) ?? []).filter(
        (t) => completedAtMs !== undefined && t > completedAtMs,
      );
      if (after.length > 0)
        effectsAfterCompletedStep.push(
          `${job.jobId}: ${after.length} effect(s) after its step completed at ${completedAtMs}; ${story(ledger, n, record)}`,
        );
      if (succeeded && completedAtMs === undefined)
        effectsAfterCompletedStep.push(`${job.jobId}: succeeded without its effect step on the record`);
    }
    const outcome = judgeJob(job, succeeded, withReason);
    if (outcome === 'dead after crashes') deadAfterCrashes += 1;
    else if (outcome !== undefined) wrongOutcomes.push(`${job.jobId} (${job.mode}): ${outcome}`);
    if (job.mode !== 'off' && withReason.length > 0 && !succeeded && record?.status !== 'dead')
      staleRecords.push(`${job.jobId} (${job.mode}): dead-lettered, record ${record?.status ?? 'missing'}`);
    const skipped = job.mode === 'exactly-once' ? skippedAttempts(ledger.startedAttempts[n]!) : [];
    if (skipped.length > 0)
      attemptsWithoutRun.push(
        `${job.jobId}: attempt ${skipped.join(', ')} never started; ${story(ledger, n, record)}`,
      );
  });
  const deadLettersWithoutReason = [
    ...[...ledger.deadLetters.values()].flat().filter((d) => d.reason === undefined),
    ...ledger.strayDeadLetters,
  ];
  return {
    byKind,
    lost,
    duplicateCompletions,
    effectsTwice,
    effectsAfterCompletedStep,
    deadLettersWithoutReason,
    wrongOutcomes,
    deadAfterCrashes,
    staleRecords,
    attemptsWithoutRun,
  };
}

/**
 * An exactly-once record keeps the attempt of the claim whose run completed it (nothing claims a completed job),
 * so a succeeded record whose attempt differs from the one success event's was completed by a second run, whose
 * event a kill swallowed.
 */
function secondCompletionUnreported(ledger: Ledger, n: number, record: JobRecord | undefined): boolean {
  const reported = ledger.succeededAttempts[n]!;
  return record?.status === 'succeeded' && reported !== 0 && (reported & attemptBit(record.attempt)) === 0;
}

/** Attempts below the highest one started that were never started themselves. */
function skippedAttempts(started: number): number[] {
  const skipped: number[] = [];
  const highest = 32 - Math.clz32(started);
  for (let attempt = 1; attempt < highest; attempt++)
    if (!(started & (1 << (attempt - 1)))) skipped.push(attempt);
  return skipped;
}

/**
 * Whether a job ended as its behaviour says it must: `ok` and `flaky` jobs succeed, `permanent` ones are
 * dead-lettered with `permanent-error`, `exhausted` ones with `retries-exhausted`. The one other ending wharf
 * allows is an exactly-once job whose crashed runs used up its attempts (`retries-exhausted` with a job timeout):
 * returned as 'dead after crashes'. Lost jobs are counted elsewhere, so they pass here.
 */
function judgeJob(
  job: PlannedJob,
  succeeded: boolean,
  deadLetters: readonly DeadLetterSeen[],
): string | undefined {
  const { behaviour } = job.payload;
  const reasons = deadLetters.map((d) => `${d.reason} (${d.error ?? 'no error'})`).join(', ');
  if (succeeded && deadLetters.length > 0) return `succeeded and dead-lettered: ${reasons}`;
  if (succeeded)
    return behaviour === 'ok' || behaviour === 'flaky' ? undefined : `a ${behaviour} job succeeded`;
  if (deadLetters.length === 0) return undefined;
  const crashedOut =
    job.mode === 'exactly-once' &&
    deadLetters.every((d) => d.reason === 'retries-exhausted' && d.error === 'WHARF_JOB_TIMEOUT');
  if (crashedOut) return 'dead after crashes';
  const expected =
    behaviour === 'permanent'
      ? 'permanent-error'
      : behaviour === 'exhausted'
        ? 'retries-exhausted'
        : undefined;
  if (expected !== undefined && deadLetters.every((d) => d.reason === expected)) return undefined;
  return `a ${behaviour} job was dead-lettered: ${reasons}`;
}

/** What the run saw of one job, for a report line that can be followed up in events.jsonl. */
function story(ledger: Ledger, n: number, record: JobRecord | undefined): string {
  const parts = [
    `${ledger.started[n]} runs`,
    `${ledger.succeeded[n]} succeeded events`,
    `${ledger.duplicates[n]} duplicates`,
    `${ledger.effects[n]} effects`,
    `${(ledger.deadLetters.get(n) ?? []).length} dead letters`,
    record ? `record ${record.status} attempt ${record.attempt} fence ${record.fence}` : 'no record',
  ];
  const faults = ledger.faultsByJob.get(n);
  if (faults) parts.push(`faults: ${faults.join('; ')}`);
  return parts.join(', ');
}

function emptyTally(): ModeTally {
  return {
    jobs: 0,
    succeeded: 0,
    deadLettered: 0,
    lost: 0,
    runs: 0,
    completedTwice: 0,
    duplicatesAcked: 0,
    effectsTwice: 0,
    deadLetteredTwice: 0,
  };
}

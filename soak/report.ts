import { KINDS } from './jobs';
import type { Ledger } from './ledger';
import type { Verdict } from './verdict';
import type { Crash } from './workers';

export interface RunFacts {
  readonly jobs: number;
  readonly kills: number;
  readonly crashes: readonly Crash[];
  /** Why the run ended before every job was accounted for and the queue was empty, if it did. */
  readonly endedEarly?: string;
  readonly elapsedMs: number;
  readonly runMs: number;
}

const COLUMNS = [
  ['kind', 12],
  ['jobs', 7],
  ['succeeded', 10],
  ['dead-lettered', 14],
  ['lost', 5],
  ['runs', 7],
  ['completed twice', 16],
  ['duplicates acked', 17],
  ['effects twice', 14],
] as const;

/** The breakdown, the failures (if any) and, last, the one line the issue asks for. Returns whether it passed. */
export function printReport(verdict: Verdict, ledger: Ledger, facts: RunFacts): boolean {
  const out = (line: string) => console.log(line);
  out(COLUMNS.map(([name, width], i) => (i === 0 ? name.padEnd(width) : name.padStart(width))).join(' '));
  for (const kind of KINDS) {
    const t = verdict.byKind[kind];
    const cells = [
      t.jobs,
      t.succeeded,
      t.deadLettered,
      t.lost,
      t.runs,
      t.completedTwice,
      t.duplicatesAcked,
      t.effectsTwice,
    ];
    out([kind.padEnd(12), ...cells.map((c, i) => String(c).padStart(COLUMNS[i + 1]![1]))].join(' '));
  }
  out(
    '(completed twice: jobs with two or more `succeeded` events, each printed after the outcome was durable; ' +
      'a duplicate completion only for exactly-once, at-least-once by design for off and tracked; ' +
      'steps: exactly-once with its effect in a durable step)',
  );
  out(`faults injected: ${countsText(ledger.faultCounts)}`);
  out(`engine events: ${countsText(ledger.eventCounts)}`);
  out(
    `dead letters: ${deadLetterText(ledger)}; jobs dead-lettered twice: ` +
      `${KINDS.map((kind) => `${kind} ${verdict.byKind[kind].deadLetteredTwice}`).join(', ')}; ` +
      `exactly-once jobs dead after crashes ${verdict.deadAfterCrashes}, stale records ${verdict.staleRecords.length}`,
  );
  for (const line of verdict.staleRecords.slice(0, 5)) out(`  stale record: ${line}`);
  out(
    `exactly-once jobs with an attempt used without a run (a kill or a lost claim response): ${verdict.attemptsWithoutRun.length}`,
  );
  for (const line of verdict.attemptsWithoutRun.slice(0, 5)) out(`  ${line}`);
  const failures = failureLines(verdict, facts);
  for (const line of failures) out(`FAIL ${line}`);
  const runSeconds = facts.runMs / 1000;
  out(
    `elapsed ${(facts.elapsedMs / 1000).toFixed(1)} s (jobs running ${runSeconds.toFixed(1)} s, ` +
      `${(facts.jobs / runSeconds).toFixed(1)} jobs/s)`,
  );
  out(
    `soak: ${facts.jobs} jobs, ${facts.kills} kills, lost ${verdict.lost.length}, ` +
      `duplicate completions ${verdict.duplicateCompletions.length}, effects twice ${verdict.effectsTwice}, ` +
      `effects twice inside completed steps ${verdict.effectsAfterCompletedStep.length}`,
  );
  return failures.length === 0;
}

function failureLines(verdict: Verdict, facts: RunFacts): string[] {
  const lines: string[] = [];
  const list = (what: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push(`${items.length} ${what}`);
    for (const item of items.slice(0, 10)) lines.push(`  ${item}`);
    if (items.length > 10) lines.push(`  ... and ${items.length - 10} more`);
  };
  if (facts.endedEarly) lines.push(`the run ended early: ${facts.endedEarly}`);
  list('lost jobs', verdict.lost);
  list('duplicate completions (exactly-once)', verdict.duplicateCompletions);
  list('effects repeated after their durable step completed (steps)', verdict.effectsAfterCompletedStep);
  list(
    'dead letters without a wharf.dlq.reason (moved by SQS, or not an envelope of the plan)',
    verdict.deadLettersWithoutReason.map((d) => `${d.jobId ?? '(no job id)'} message ${d.messageId}`),
  );
  list('jobs with the wrong outcome', verdict.wrongOutcomes);
  list(
    'worker crashes (exits the driver did not ask for)',
    facts.crashes.map((c) => `worker ${c.index} (pid ${c.pid}): code ${c.code}, signal ${c.signal}`),
  );
  return lines;
}

function countsText(counts: ReadonlyMap<string, number>): string {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([key, n]) => `${key} ${n}`);
  return parts.length === 0 ? '0' : `${total} (${parts.join(', ')})`;
}

function deadLetterText(ledger: Ledger): string {
  const reasons = new Map<string, number>();
  let total = 0;
  for (const letters of ledger.deadLetters.values()) {
    for (const letter of letters) {
      total += 1;
      const key = letter.reason ?? 'no reason';
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
  }
  total += ledger.strayDeadLetters.length;
  if (ledger.strayDeadLetters.length > 0)
    reasons.set('not a job of the plan', ledger.strayDeadLetters.length);
  return `${total} taken off the DLQ${total > 0 ? ` (${[...reasons].map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}`;
}

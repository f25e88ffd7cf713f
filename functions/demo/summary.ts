import type { JobEventType } from 'wharf-jobs';
import type { RunSummary } from 'wharf-jobs/local';

const COLUMNS: readonly JobEventType[] = [
  'succeeded',
  'retrying',
  'dead',
  'discarded',
  'duplicate',
  'deferred',
];

/** The closing table of `npm start`: one row per job, one column per outcome, and the totals. */
export function formatSummary(summary: RunSummary): string {
  const names = Object.keys(summary.byJob).sort();
  const header = ['job', ...COLUMNS];
  const rows = names.map((name) => [name, ...COLUMNS.map((c) => String(summary.byJob[name]?.[c] ?? 0))]);
  const totals = ['total', ...COLUMNS.map((c) => String(summary.byOutcome[c] ?? 0))];
  const all = [header, ...rows, totals];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const why = Object.entries(summary.deferredBy).map(([reason, count]) => `${reason} ${count}`);
  const deferred = why.length > 0 ? [`deferred by: ${why.join(', ')}`] : [];
  return [line(header), rule, ...rows.map(line), rule, line(totals), ...deferred].join('\n');
}

import { parseDuration } from '../job/duration.js';
import type { JobStatsRow, StatsReport } from '../ops/stats-types.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT } from './exit-codes.js';
import { printResult, span, table } from './output.js';

export interface StatsCommandOptions {
  readonly since: string;
}

/** `wharf stats`: per job type, runs by outcome, p50 and p95 duration, retry rate, cost per 1,000 runs. */
export async function statsCommand(ctx: CliContext, o: StatsCommandOptions): Promise<number> {
  const since = parseDuration(o.since);
  if ('problem' in since || since.ms <= 0)
    throw new CliExit(EXIT.usage, `--since: ${'problem' in since ? since.problem : 'expected more than 0'}`);
  const now = ctx.ops.nowMs();
  const report = await ctx.ops.stats({ sinceMs: now - since.ms, untilMs: now });
  printResult(ctx.output, report, () => statsText(report));
  return EXIT.ok;
}

export function statsText(report: StatsReport): string {
  const rows = table(
    ['JOB', 'QUEUE', 'COUNT', 'SUCCEEDED', 'RETRIED', 'DEAD', 'P50', 'P95', 'RETRY RATE', 'COST/1K RUNS'],
    report.rows.map((r) => [
      r.job,
      r.queue,
      r.count,
      r.outcomes.succeeded,
      r.outcomes.retried,
      r.outcomes.dead,
      msText(r.p50),
      msText(r.p95),
      r.retryRate === null ? '-' : `${(r.retryRate * 100).toFixed(1)}%`,
      costText(r),
    ]),
  );
  const source = report.source === 'local' ? "the embedded engine's own counts" : 'CloudWatch metrics';
  const window = `${span(report.untilMs - report.sinceMs)} to ${new Date(report.untilMs).toISOString()}, from ${source}`;
  const prices = `cost: USD at ${report.prices.region} list prices of ${report.prices.compiledOn} (${report.prices.source}), no free tier; --json has each cost's basis`;
  return `${report.rows.length === 0 ? 'no job types' : rows}\n${window}\n${prices}`;
}

function msText(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

function costText(row: JobStatsRow): string {
  return row.cost === null ? '-' : `$${row.cost.toFixed(row.cost < 0.01 ? 5 : 3)}`;
}

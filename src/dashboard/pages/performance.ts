import type { JobStatsRow, StatsReport } from '../../ops/stats-types.js';
import { html, query, type SafeHtml } from '../html.js';
import { durationText, periodText, pointTime } from '../plot-scale.js';
import { performancePlot } from '../svg-plot.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The windows the page offers, each with a period that gives round ticks and at most 60 points (CloudWatch
 * periods are whole minutes): an hour by the minute, 6 hours by 10 minutes, a day by half hours, a week by 3 hours.
 */
export const PERFORMANCE_WINDOWS = {
  '1h': { label: 'last hour', spanMs: HOUR, periodMs: MINUTE },
  '6h': { label: 'last 6 h', spanMs: 6 * HOUR, periodMs: 10 * MINUTE },
  '24h': { label: 'last 24 h', spanMs: 24 * HOUR, periodMs: 30 * MINUTE },
  '7d': { label: 'last 7 d', spanMs: 7 * 24 * HOUR, periodMs: 3 * HOUR },
} as const;

export type PerformanceWindow = keyof typeof PERFORMANCE_WINDOWS;
export const DEFAULT_PERFORMANCE_WINDOW: PerformanceWindow = '1h';

export function isPerformanceWindow(value: string): value is PerformanceWindow {
  return Object.hasOwn(PERFORMANCE_WINDOWS, value);
}

/** What ran per job type in the window, how it ended, how long it took and what it cost; then the plot. */
export function performancePage(report: StatsReport, window: PerformanceWindow): SafeHtml {
  return html`${windowLinks(window)}
<p class="muted">${pointTime(report.sinceMs)} to ${pointTime(report.untilMs)}, from ${
    report.source === 'cloudwatch' ? 'CloudWatch metrics' : "the embedded engine's own counts"
  }.</p>
<h2>Per job type</h2>
${statsTable(report.rows)}
<p class="muted prices">Cost per 1,000 runs at ${report.prices.region} list prices compiled on ${report.prices.compiledOn}; source: ${report.prices.source}.</p>
${costDetails(report.rows)}
<h2>Runs and p95 duration per ${periodText(report.periodMs)}</h2>
${performancePlot(report)}`;
}

export function windowLinks(active: PerformanceWindow): SafeHtml {
  return html`<nav class="windows" aria-label="Window">${Object.entries(PERFORMANCE_WINDOWS).map(
    ([key, w]) =>
      key === active
        ? html`<a href="/performance${query({ window: key })}" class="active" aria-current="page">${w.label}</a>`
        : html`<a href="/performance${query({ window: key })}">${w.label}</a>`,
  )}</nav>`;
}

function statsTable(rows: readonly JobStatsRow[]): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">No runs in this window.</p>`;
  return html`<table class="performance"><thead><tr><th>Job</th><th>Queue</th><th>Runs</th><th>Succeeded</th><th>Retried</th><th>Dead</th><th>Discarded</th><th>p50</th><th>p95</th><th>Retry rate</th><th>Cost per 1,000 runs</th></tr></thead>
<tbody>${rows.map(
    (r) => html`<tr data-job="${r.job}"><td>${r.job}</td><td>${r.queue}</td><td class="num">${r.count}</td>
<td class="num">${r.outcomes.succeeded}</td><td class="num">${r.outcomes.retried}</td><td class="num">${r.outcomes.dead}</td><td class="num">${r.outcomes.discarded}</td>
<td class="num">${r.p50 === null ? '–' : durationText(r.p50)}</td><td class="num">${r.p95 === null ? '–' : durationText(r.p95)}</td>
<td class="num">${r.retryRate === null ? '–' : percentText(r.retryRate)}</td><td class="num">${r.cost === null ? '–' : usdText(r.cost)}</td></tr>`,
  )}</tbody></table>`;
}

/** What each estimate is made of, for the operator who doubts a figure. */
function costDetails(rows: readonly JobStatsRow[]): SafeHtml {
  const costed = rows.filter((r) => r.costBreakdown !== null);
  if (costed.length === 0) return html``;
  return html`<details class="cost"><summary>How the cost is estimated</summary><ul>${costed.map((r) => {
    const c = r.costBreakdown!;
    return html`<li>${r.job}: SQS ${usdText(c.sqs)}, Lambda ${usdText(c.lambda)}, DynamoDB ${usdText(c.dynamodb)}, Scheduler ${usdText(c.scheduler)} (${c.basis})</li>`;
  })}</ul></details>`;
}

/** "25%", "33.3%", "0.5%": one decimal where it says something. */
export function percentText(rate: number): string {
  const percent = rate * 100;
  return `${Number.isInteger(percent) ? percent : percent.toFixed(1)}%`;
}

/** "$0.0123", "$1.24", "$0": three significant digits, since a job's cost per 1,000 runs is often under a cent. */
export function usdText(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 1) return `$${usd.toFixed(2)}`;
  return `$${usd.toLocaleString('en-US', { maximumSignificantDigits: 3 })}`;
}

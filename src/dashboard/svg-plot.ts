import type { JobSeries, StatsPoint, StatsReport } from '../ops/stats-types.js';
import { html, type SafeHtml } from './html.js';
import {
  durationText,
  durationUnit,
  type LinearScale,
  linearScale,
  periodText,
  pointTime,
  tickText,
  timeTicks,
  valueTicks,
} from './plot-scale.js';

/**
 * The Performance page's plot: runs per period and p95 duration per job type over the window, as inline SVG drawn
 * on the server. The CSP allows no script and no inline style, so everything is markup: presentation attributes
 * for geometry, classes from the dashboard's stylesheet for colour, and a `<title>` on every point and series for
 * hover text. Colours cycle every PALETTE_SIZE job types; the next PALETTE_SIZE are dashed, the next dotted, and
 * beyond that the looks repeat (the legend and the hover texts still name every job type).
 */
export const PALETTE_SIZE = 10;
export const LINE_STYLES = 3;

const WIDTH = 960;
const PANEL_HEIGHT = 190;
const MARGIN = { left: 64, right: 20, top: 30, bottom: 40 } as const;
const LEGEND = { columns: 4, rowHeight: 20, top: 12, nameChars: 28 } as const;

export type PlotWindow = Pick<StatsReport, 'sinceMs' | 'untilMs' | 'periodMs' | 'series'>;

/** The SVG, or an empty state when no job type ran in the window. */
export function performancePlot(report: PlotWindow): SafeHtml {
  const series = report.series.filter((s) => s.points.some((p) => p.runs > 0));
  if (series.length === 0) return html`<p class="muted plot-empty">No runs in this window.</p>`;
  const labels = seriesLabels(report.series);
  const drawn = report.series
    .map((s, index) => ({ s, index, label: labels[index]! }))
    .filter(({ s }) => series.includes(s));
  const x = timeScale(report);
  const legendRows = Math.ceil(drawn.length / LEGEND.columns);
  const height = 2 * PANEL_HEIGHT + LEGEND.top + legendRows * LEGEND.rowHeight + 8;
  const period = periodText(report.periodMs);
  const label =
    `Runs per ${period} and p95 duration of ${drawn.length} job ${drawn.length === 1 ? 'type' : 'types'}, ` +
    `${pointTime(report.sinceMs)} to ${pointTime(report.untilMs)}; the table has the same numbers.`;
  return html`<svg class="plot" role="img" aria-label="${label}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">
${runsPanel(drawn, x, report, period)}
<g transform="translate(0 ${PANEL_HEIGHT})">${p95Panel(drawn, x, report)}</g>
<g transform="translate(0 ${2 * PANEL_HEIGHT + LEGEND.top})">${legend(drawn)}</g>
</svg>`;
}

interface Drawn {
  readonly s: JobSeries;
  readonly index: number;
  readonly label: string;
}

/** The job's name, and its queue too where two series share a name (one job type on two queues). */
export function seriesLabels(series: readonly JobSeries[]): readonly string[] {
  const names = series.map((s) => s.job);
  return series.map((s) => (names.filter((n) => n === s.job).length > 1 ? `${s.job} (${s.queue})` : s.job));
}

/** The class that gives a series its colour and line style: `s3` is the fourth colour, `l1` dashed. */
export function seriesClass(index: number): string {
  const style = Math.floor(index / PALETTE_SIZE) % LINE_STYLES;
  return `s${index % PALETTE_SIZE} l${style}`;
}

function timeScale(report: PlotWindow): LinearScale {
  // A point stands for its whole period and is drawn at its middle; a period the window only partly covers
  // widens the axis rather than falling off it.
  const starts = report.series.flatMap((s) => s.points.map((p) => p.atMs));
  const from = Math.min(report.sinceMs, ...starts);
  const to = Math.max(report.untilMs, ...starts.map((at) => at + report.periodMs));
  return linearScale([from, to], [MARGIN.left, WIDTH - MARGIN.right]);
}

const middle = (point: StatsPoint, periodMs: number) => point.atMs + periodMs / 2;
const px = (value: number) => Math.round(value * 10) / 10;

function runsPanel(drawn: readonly Drawn[], x: LinearScale, report: PlotWindow, period: string): SafeHtml {
  const max = Math.max(...drawn.flatMap(({ s }) => s.points.map((p) => p.runs)));
  const axis = valueTicks(max, { integer: true });
  const y = linearScale([0, axis.max], [PANEL_HEIGHT - MARGIN.bottom, MARGIN.top]);
  return html`<g class="panel runs">
<text class="panel-title" x="${MARGIN.left}" y="${MARGIN.top - 12}">Runs per ${period} (count)</text>
${valueAxis(axis.ticks, y, tickText)}${timeAxis(x, report)}
${drawn.map(({ s, index, label }) => {
  const points = withZeros(s.points, report.periodMs);
  const total = s.points.reduce((n, p) => n + p.runs, 0);
  return html`<g class="series ${seriesClass(index)}" data-job="${s.job}"><title>${label}: ${total} ${plural(total, 'run')} in the window</title>
<path class="line" d="${linePath(points.map((p) => [x.at(middle(p, report.periodMs)), y.at(p.runs)]))}"/>
${points
  .filter((p) => p.runs > 0)
  .map(
    (p) =>
      html`<circle class="point" cx="${px(x.at(middle(p, report.periodMs)))}" cy="${px(y.at(p.runs))}" r="3"><title>${label}, ${pointTime(p.atMs)} (${period}): ${p.runs} ${plural(p.runs, 'run')}</title></circle>`,
  )}</g>`;
})}</g>`;
}

function p95Panel(drawn: readonly Drawn[], x: LinearScale, report: PlotWindow): SafeHtml {
  const values = drawn.flatMap(({ s }) => s.points.flatMap((p) => (p.p95 === null ? [] : [p.p95])));
  const unit = durationUnit(Math.max(0, ...values));
  const axis = valueTicks(Math.max(0, ...values) / unit.ms);
  const y = linearScale([0, axis.max], [PANEL_HEIGHT - MARGIN.bottom, MARGIN.top]);
  const at = (ms: number) => y.at(ms / unit.ms);
  return html`<g class="panel p95">
<text class="panel-title" x="${MARGIN.left}" y="${MARGIN.top - 12}">p95 duration (${unit.name})</text>
${valueAxis(axis.ticks, y, tickText)}${timeAxis(x, report)}
${
  // Runs without a duration: a source that has the counts but not the percentiles (moto's CloudWatch has none).
  values.length === 0
    ? html`<text class="panel-note" x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${PANEL_HEIGHT / 2}" text-anchor="middle">No duration measured in this window.</text>`
    : ''
}
${drawn.map(({ s, index, label }) => {
  const measured = s.points.filter((p) => p.p95 !== null);
  return html`<g class="series ${seriesClass(index)}" data-job="${s.job}"><title>${label}: p95 duration per period</title>
${segments(s.points, report.periodMs).map(
  (segment) =>
    html`<path class="line" d="${linePath(segment.map((p) => [x.at(middle(p, report.periodMs)), at(p.p95!)]))}"/>`,
)}
${measured.map(
  (p) =>
    html`<circle class="point" cx="${px(x.at(middle(p, report.periodMs)))}" cy="${px(at(p.p95!))}" r="3"><title>${label}, ${pointTime(p.atMs)}: p95 ${durationText(p.p95!)}</title></circle>`,
)}</g>`;
})}</g>`;
}

/**
 * Runs in the periods a series has no point for were 0: CloudWatch returns no datapoint for a period in which
 * nothing was published (outcome counts are published only when non-zero), so the line drops to 0 there rather
 * than joining two busy periods across an idle one.
 */
export function withZeros(points: readonly StatsPoint[], periodMs: number): readonly StatsPoint[] {
  const sorted = [...points].sort((a, b) => a.atMs - b.atMs);
  const out: StatsPoint[] = [];
  for (const point of sorted) {
    const last = out[out.length - 1];
    if (last && point.atMs - last.atMs > periodMs) {
      out.push({ atMs: last.atMs + periodMs, runs: 0, p95: null });
      if (point.atMs - periodMs > last.atMs + periodMs)
        out.push({ atMs: point.atMs - periodMs, runs: 0, p95: null });
    }
    out.push(point);
  }
  return out;
}

/** A p95 exists only where something ran: the line breaks at a period without one, or a missing period. */
export function segments(
  points: readonly StatsPoint[],
  periodMs: number,
): readonly (readonly StatsPoint[])[] {
  const sorted = [...points].sort((a, b) => a.atMs - b.atMs);
  const out: StatsPoint[][] = [];
  let current: StatsPoint[] = [];
  for (const point of sorted) {
    const last = current[current.length - 1];
    if (point.p95 === null || (last && point.atMs - last.atMs > periodMs)) {
      if (current.length > 0) out.push(current);
      current = [];
    }
    if (point.p95 !== null) current.push(point);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function linePath(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x)} ${px(y)}`).join(' ');
}

function valueAxis(ticks: readonly number[], y: LinearScale, text: (v: number) => string): SafeHtml {
  return html`<g class="axis y">${ticks.map(
    (
      tick,
    ) => html`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${px(y.at(tick))}" y2="${px(y.at(tick))}"/>
<text class="tick" x="${MARGIN.left - 8}" y="${px(y.at(tick)) + 4}" text-anchor="end">${text(tick)}</text>`,
  )}<line class="axis-line" x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${PANEL_HEIGHT - MARGIN.bottom}"/></g>`;
}

function timeAxis(x: LinearScale, report: PlotWindow): SafeHtml {
  const base = PANEL_HEIGHT - MARGIN.bottom;
  const [from, to] = x.domain;
  return html`<g class="axis x"><line class="axis-line" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${base}" y2="${base}"/>
${timeTicks(Math.max(from, report.sinceMs), Math.min(to, report.untilMs)).map(
  (
    tick,
  ) => html`<line class="tick-mark" x1="${px(x.at(tick.atMs))}" x2="${px(x.at(tick.atMs))}" y1="${base}" y2="${base + 5}"/>
<text class="tick" x="${px(x.at(tick.atMs))}" y="${base + 18}" text-anchor="middle">${tick.label}</text>`,
)}<text class="axis-title" x="${WIDTH - MARGIN.right}" y="${base + 34}" text-anchor="end">time (UTC)</text></g>`;
}

function legend(drawn: readonly Drawn[]): SafeHtml {
  const columnWidth = (WIDTH - MARGIN.left - MARGIN.right) / LEGEND.columns;
  return html`<g class="legend">${drawn.map(({ index, label }, i) => {
    const left = MARGIN.left + (i % LEGEND.columns) * columnWidth;
    const top = Math.floor(i / LEGEND.columns) * LEGEND.rowHeight;
    const shown = label.length > LEGEND.nameChars ? `${label.slice(0, LEGEND.nameChars - 1)}…` : label;
    return html`<g class="entry ${seriesClass(index)}"><title>${label}</title>
<line class="line" x1="${px(left)}" x2="${px(left + 22)}" y1="${top + 6}" y2="${top + 6}"/><circle class="point" cx="${px(left + 11)}" cy="${top + 6}" r="3"/>
<text x="${px(left + 30)}" y="${top + 10}">${shown}</text></g>`;
  })}</g>`;
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);

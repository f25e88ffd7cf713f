import { describe, expect, it } from 'vitest';
import {
  durationText,
  durationUnit,
  linearScale,
  periodText,
  timeTicks,
  valueTicks,
} from '../../src/dashboard/plot-scale';
import { performancePlot, segments, seriesClass, withZeros } from '../../src/dashboard/svg-plot';
import type { JobSeries, StatsPoint } from '../../src/ops/stats-types';

const MINUTE = 60_000;
const SINCE = Date.UTC(2026, 11, 2, 9, 3, 20);
const UNTIL = SINCE + 60 * MINUTE;
const START = Date.UTC(2026, 11, 2, 9, 3); // the first whole minute of the window

const point = (minute: number, runs: number, p95: number | null): StatsPoint => ({
  atMs: START + minute * MINUTE,
  runs,
  p95,
});
const series = (job: string, points: readonly StatsPoint[], queue = 'default'): JobSeries => ({
  job,
  queue,
  points,
});
const plot = (all: readonly JobSeries[]) =>
  performancePlot({ sinceMs: SINCE, untilMs: UNTIL, periodMs: MINUTE, series: all }).value;

/** The elements of one kind in the markup, with their attributes (the plot is flat, regular markup). */
function elements(svg: string, tag: string): Record<string, string>[] {
  return [...svg.matchAll(new RegExp(`<${tag}\\b([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}
const panel = (svg: string, name: 'runs' | 'p95') => {
  const start = svg.indexOf(`<g class="panel ${name}">`);
  const end = svg.indexOf('<g class="panel', start + 1);
  return svg.slice(start, end === -1 ? svg.indexOf('<g class="legend"') : end);
};

describe('the axes of the performance plot', () => {
  it('puts value ticks at 1, 2 or 5 times a power of ten, from 0 to at or above the largest value', () => {
    expect(valueTicks(7, { integer: true }).ticks).toEqual([0, 2, 4, 6, 8]);
    expect(valueTicks(1234).ticks).toEqual([0, 500, 1000, 1500]);
    expect(valueTicks(0.37).ticks).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(valueTicks(100).max).toBe(100);
  });

  it('never counts in fractions of a run, and gives an empty axis 0 and 1', () => {
    expect(valueTicks(3, { integer: true }).ticks).toEqual([0, 1, 2, 3]);
    expect(valueTicks(1, { integer: true }).ticks).toEqual([0, 1]);
    expect(valueTicks(0, { integer: true }).ticks).toEqual([0, 1]);
    expect(valueTicks(Number.NaN).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('puts time ticks on whole UTC minutes within a day and on dates across a week', () => {
    expect(timeTicks(SINCE, UNTIL).map((t) => t.label)).toEqual([
      '09:10',
      '09:20',
      '09:30',
      '09:40',
      '09:50',
      '10:00',
    ]);
    const week = timeTicks(Date.UTC(2026, 10, 25, 9), Date.UTC(2026, 11, 2, 9));
    expect(week.map((t) => t.label)).toEqual(['11-26', '11-27', '11-28', '11-29', '11-30', '12-01', '12-02']);
    // A week and half a minute (its start taken back to a whole minute) still gets a tick a day.
    expect(timeTicks(Date.UTC(2026, 10, 25, 9, 55), Date.UTC(2026, 11, 2, 9, 55, 30))).toHaveLength(7);
    // A day by 3 hours: the tick where the day turns says which day.
    const day = timeTicks(Date.UTC(2026, 11, 1, 10), Date.UTC(2026, 11, 2, 10));
    expect(day.map((t) => t.label)).toEqual([
      '12:00',
      '15:00',
      '18:00',
      '21:00',
      '12-02',
      '03:00',
      '06:00',
      '09:00',
    ]);
  });

  it('maps values linearly onto pixels, upside down for a value axis, and a one-value domain to the middle', () => {
    const y = linearScale([0, 10], [150, 30]);
    expect([y.at(0), y.at(5), y.at(10)]).toEqual([150, 90, 30]);
    expect(linearScale([5, 5], [64, 940]).at(5)).toBe(502);
  });

  it('reads durations in the unit their size asks for', () => {
    expect([durationUnit(800).name, durationUnit(12_000).name, durationUnit(900_000).name]).toEqual([
      'ms',
      's',
      'min',
    ]);
    expect([durationText(12.4), durationText(2_400), durationText(186_000)]).toEqual([
      '12 ms',
      '2.4 s',
      '3.1 min',
    ]);
    expect([periodText(MINUTE), periodText(10 * MINUTE), periodText(180 * MINUTE)]).toEqual([
      '1 min',
      '10 min',
      '3 h',
    ]);
  });
});

describe('the performance plot', () => {
  it('says "no runs in this window" and draws nothing when no job type ran', () => {
    for (const empty of [[], [series('send-email', [point(0, 0, null), point(1, 0, null)])]]) {
      const markup = plot(empty);
      expect(markup).toContain('No runs in this window.');
      expect(markup).not.toContain('<svg');
    }
  });

  it('draws one point of one job type at the top of the runs axis and of the p95 axis', () => {
    const svg = plot([series('send-email', [point(10, 4, 250)])]);
    for (const name of ['runs', 'p95'] as const) {
      const circles = elements(panel(svg, name), 'circle');
      expect(circles).toHaveLength(1);
      expect(Number(circles[0]!.cy)).toBe(30); // the top of the plot area: the largest value
    }
    expect(panel(svg, 'runs')).toContain('send-email, 2026-12-02 09:13Z (1 min): 4 runs</title>');
    expect(panel(svg, 'p95')).toContain('send-email, 2026-12-02 09:13Z: p95 250 ms</title>');
    // One point is a line of one move: drawn as its point, with no segment to nowhere.
    expect(elements(panel(svg, 'p95'), 'path').map((p) => p.d)).toEqual([
      expect.stringMatching(/^M[\d.]+ 30$/),
    ]);
  });

  it('places points in time and value: an idle minute is drawn at 0 runs, and no p95 is drawn for it', () => {
    const svg = plot([series('resize', [point(0, 2, 100), point(2, 1, 400)])]);
    const runs = elements(panel(svg, 'runs'), 'path')[0]!.d!.split(' L');
    expect(runs).toHaveLength(3); // minute 0, the idle minute 1 at zero, minute 2
    const [, idle] = runs;
    expect(idle!.split(' ')[1]).toBe('150'); // the baseline: 0 runs
    const p95 = elements(panel(svg, 'p95'), 'path').map((p) => p.d);
    expect(p95).toHaveLength(2); // broken where nothing ran
    const circles = elements(panel(svg, 'p95'), 'circle').map((c) => Number(c.cy));
    expect(circles[1]).toBe(30); // 400 ms is the top of an axis to 400
    expect(circles[0]).toBe(120); // 100 ms: a quarter of the way up from 150 to 30
    const xs = elements(panel(svg, 'runs'), 'circle').map((c) => Number(c.cx));
    // Two minutes of an axis from 09:03 (the first period's start) to 10:03:20 (the window's end).
    expect(xs[1]! - xs[0]!).toBeCloseTo((2 * (940 - 64)) / (60 + 1 / 3), 0);
  });

  it('labels the axes with ticks and units, and the SVG as an image with a text equivalent', () => {
    const svg = plot([series('resize', [point(0, 7, 12_500)])]);
    expect(svg).toMatch(
      /<svg class="plot" role="img" aria-label="Runs per 1 min and p95 duration of 1 job type, /,
    );
    expect(panel(svg, 'runs')).toContain('Runs per 1 min (count)');
    expect(panel(svg, 'p95')).toContain('p95 duration (s)');
    const runTicks = [...panel(svg, 'runs').matchAll(/<text class="tick"[^>]*text-anchor="end">([^<]*)</g)];
    expect(runTicks.map((m) => m[1])).toEqual(['0', '2', '4', '6', '8']);
    const timeLabels = [...panel(svg, 'runs').matchAll(/text-anchor="middle">([^<]*)</g)].map((m) => m[1]);
    expect(timeLabels).toEqual(['09:10', '09:20', '09:30', '09:40', '09:50', '10:00']);
    expect(svg).toContain('time (UTC)');
  });

  it('escapes job names everywhere: legend, hover texts and attributes', () => {
    const hostile = '<script>alert(1)</script>"onload="x';
    const svg = plot([series(hostile, [point(0, 1, 5)])]);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('"onload="');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=&quot;x');
    expect(svg).not.toMatch(/\sstyle=/);
  });

  it('gives each of twenty job types its own series and legend entry: ten colours, then dashed', () => {
    const many = Array.from({ length: 20 }, (_, i) => series(`job-${i}`, [point(i, i + 1, 10 * (i + 1))]));
    const svg = plot(many);
    for (const name of ['runs', 'p95'] as const) {
      const groups = elements(panel(svg, name), 'g').filter((g) => g.class?.startsWith('series'));
      expect(groups.map((g) => g['data-job'])).toEqual(many.map((s) => s.job));
    }
    const entries = [...svg.matchAll(/<g class="entry ([^"]+)"><title>([^<]+)<\/title>/g)];
    expect(entries.map((e) => e[2])).toEqual(many.map((s) => s.job));
    expect(entries.map((e) => e[1])).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `s${i} l0`),
      ...Array.from({ length: 10 }, (_, i) => `s${i} l1`),
    ]);
    // Five rows of four in the legend below two panels of 190.
    expect(svg).toMatch(new RegExp(`viewBox="0 0 960 ${2 * 190 + 12 + 5 * 20 + 8}"`));
    expect([seriesClass(20), seriesClass(29), seriesClass(30)]).toEqual(['s0 l2', 's9 l2', 's0 l0']);
  });

  it('shortens a long job name in the legend, its whole name in the hover text', () => {
    const long = 'reconcile-ledger-entries-for-every-merchant-account';
    const svg = plot([series(long, [point(0, 1, 5)])]);
    expect(svg).toContain(`<title>${long}</title>`);
    expect(svg).toContain('>reconcile-ledger-entries-fo…</text>');
  });

  it('says so in the p95 panel where runs were counted but no duration was measured', () => {
    const svg = plot([series('counted', [point(0, 3, null)])]);
    expect(panel(svg, 'p95')).toContain('No duration measured in this window.');
    expect(elements(panel(svg, 'p95'), 'circle')).toHaveLength(0);
    expect(elements(panel(svg, 'runs'), 'circle')).toHaveLength(1);
    expect(plot([series('timed', [point(0, 3, 40)])])).not.toContain('No duration measured');
  });

  it('leaves out of the plot a job type that did not run, keeping the others their colours', () => {
    const svg = plot([
      series('a', [point(0, 1, 5)]),
      series('idle', [point(0, 0, null)]),
      series('c', [point(0, 2, 5)]),
    ]);
    const groups = elements(panel(svg, 'runs'), 'g').filter((g) => g.class?.startsWith('series'));
    expect(groups.map((g) => [g['data-job'], g.class])).toEqual([
      ['a', 'series s0 l0'],
      ['c', 'series s2 l0'],
    ]);
  });

  it('names the queue beside the job where one job type has a series on two queues', () => {
    const svg = plot([series('sync', [point(0, 1, 5)], 'fast'), series('sync', [point(0, 1, 5)], 'slow')]);
    expect(svg).toContain('<title>sync (fast)</title>');
    expect(svg).toContain('<title>sync (slow)</title>');
  });
});

describe('the lines of a series', () => {
  it('fills the periods missing between two points with zero runs', () => {
    const filled = withZeros([point(5, 3, 10), point(0, 1, 10), point(1, 2, 10)], MINUTE);
    expect(filled.map((p) => [(p.atMs - START) / MINUTE, p.runs])).toEqual([
      [0, 1],
      [1, 2],
      [2, 0],
      [4, 0],
      [5, 3],
    ]);
    expect(withZeros([point(0, 1, 10), point(2, 1, 10)], MINUTE).map((p) => p.runs)).toEqual([1, 0, 1]);
  });

  it('breaks the p95 line at a period without a p95 and at a missing period', () => {
    const parts = segments(
      [point(0, 1, 10), point(1, 1, 20), point(2, 0, null), point(3, 1, 30), point(5, 1, 40)],
      MINUTE,
    );
    expect(parts.map((part) => part.map((p) => p.p95))).toEqual([[10, 20], [30], [40]]);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { percentText, performancePage, usdText } from '../../src/dashboard/pages/performance';
import { getRoute, type RouteContext, render } from '../../src/dashboard/routes';
import { createRegistry, defineJob } from '../../src/index';
import { createLocalEngine, createManualClock } from '../../src/local/index';
import { createOps } from '../../src/ops/create-ops';
import type { JobStatsRow, StatsReport } from '../../src/ops/stats-types';
import { zeroOutcomes } from '../../src/ops/stats-window';
import { createMemoryQueueAdmin } from '../../src/transport/memory/memory-queue-admin';

const SINCE = Date.UTC(2026, 11, 2, 9);
const row = (job: string, overrides: Partial<JobStatsRow> = {}): JobStatsRow => ({
  job,
  queue: 'default',
  count: 8,
  outcomes: { ...zeroOutcomes(), succeeded: 5, retried: 2, dead: 1 },
  p50: 180,
  p95: 2_400,
  meanMs: 400,
  retryRate: 0.25,
  cost: 0.000512,
  costBreakdown: {
    sqs: 0.0004,
    lambda: 0.0001,
    dynamodb: 0.000012,
    scheduler: 0,
    total: 0.000512,
    basis: '1024 MB',
  },
  ...overrides,
});
const report = (rows: readonly JobStatsRow[]): StatsReport => ({
  source: 'cloudwatch',
  sinceMs: SINCE,
  untilMs: SINCE + 3_600_000,
  periodMs: 60_000,
  rows,
  series: rows.map((r) => ({
    job: r.job,
    queue: r.queue,
    points: [{ atMs: SINCE, runs: r.count, p95: r.p95 }],
  })),
  prices: { region: 'us-east-1', compiledOn: '2026-11-25', source: 'the price table' },
});
const cells = (markup: string, job: string) =>
  [
    ...(new RegExp(`<tr data-job="${job}">([\\s\\S]*?)</tr>`).exec(markup)?.[1] ?? '').matchAll(
      /<td[^>]*>([^<]*)<\/td>/g,
    ),
  ].map((m) => m[1]);

describe('the Performance page', () => {
  it('shows a row per job type: runs, outcomes, p50, p95, retry rate and cost per 1,000 runs', () => {
    const markup = performancePage(report([row('send-email')]), '1h').value;
    expect(cells(markup, 'send-email')).toEqual([
      'send-email',
      'default',
      '8',
      '5',
      '2',
      '1',
      '0',
      '180 ms',
      '2.4 s',
      '25%',
      '$0.000512',
    ]);
    expect(markup).toContain('from CloudWatch metrics');
    expect(markup).toContain('at us-east-1 list prices compiled on 2026-11-25; source: the price table.');
    expect(markup).toContain(
      'send-email: SQS $0.0004, Lambda $0.0001, DynamoDB $0.000012, Scheduler $0 (1024 MB)',
    );
  });

  it('shows a dash where a job type has no run to measure, and no cost breakdown for it', () => {
    const idle = row('idle', {
      count: 0,
      outcomes: zeroOutcomes(),
      p50: null,
      p95: null,
      meanMs: null,
      retryRate: null,
      cost: null,
      costBreakdown: null,
    });
    const markup = performancePage(report([idle]), '1h').value;
    expect(cells(markup, 'idle').slice(7)).toEqual(['–', '–', '–', '–']);
    expect(markup).not.toContain('How the cost is estimated');
    expect(markup).toContain('No runs in this window.');
  });

  it('offers the four windows as plain links, the current one marked', () => {
    const markup = performancePage(report([]), '24h').value;
    const links = [...markup.matchAll(/<a href="\/performance\?window=(\w+)"([^>]*)>([^<]+)<\/a>/g)];
    expect(links.map((l) => [l[1], l[3], l[2]!.includes('aria-current="page"')])).toEqual([
      ['1h', 'last hour', false],
      ['6h', 'last 6 h', false],
      ['24h', 'last 24 h', true],
      ['7d', 'last 7 d', false],
    ]);
  });

  it('escapes a job name in the table as in the plot', () => {
    const markup = performancePage(report([row('<img src=x onerror=alert(1)>')]), '1h').value;
    expect(markup).not.toContain('<img');
    expect(markup).toContain('<td>&lt;img src=x onerror=alert(1)&gt;</td>');
  });

  it('reads rates and small costs the way people write them', () => {
    expect([percentText(0), percentText(0.5), percentText(1 / 3), percentText(1)]).toEqual([
      '0%',
      '50%',
      '33.3%',
      '100%',
    ]);
    expect([usdText(0), usdText(0.0000001234), usdText(0.0123), usdText(1.5)]).toEqual([
      '$0',
      '$0.000000123',
      '$0.0123',
      '$1.50',
    ]);
  });
});

describe('the Performance route', () => {
  it('says on the page that no stats can be read where ops has no source of them, and the others still serve', async () => {
    const registry = createRegistry([
      defineJob({ name: 'noop', schema: z.object({}), perform: () => undefined }),
    ]);
    const engine = createLocalEngine({ registry, clock: createManualClock(SINCE) });
    // The embedded engine's parts without its stats source: ops as a deployment without metrics has them.
    const ops = createOps({
      admin: createMemoryQueueAdmin({
        transport: engine.transport,
        clock: engine.clock,
        queues: engine.transport.queueNames(),
      }),
      store: engine.store,
      registry,
      enqueuer: engine.client,
      clock: engine.clock,
    });
    const ctx: RouteContext = {
      ops,
      csrf: 'c',
      readOnly: true,
      afterAction: async () => undefined,
      audit: () => undefined,
    };
    const page = await getRoute(ctx, ['performance'], new URLSearchParams('window=6h'));
    const markup = render(page!);
    expect(markup).toContain('No stats can be read from here (no metrics source is configured).');
    expect(markup).toContain('aria-current="page">last 6 h</a>');
    expect(markup).toContain('<a href="/performance" class="active">Performance</a>');
    expect((await getRoute(ctx, [], new URLSearchParams()))?.title).toBe('Overview');
    await expect(getRoute(ctx, ['performance'], new URLSearchParams('window=1y'))).rejects.toMatchObject({
      status: 400,
      message: 'Unknown window "1y": one of 1h, 6h, 24h, 7d.',
    });
    engine.close();
  });
});

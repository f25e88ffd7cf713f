import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Dashboard, startDashboard } from '../../src/dashboard/server';
import { createRegistry, defineJob } from '../../src/index';
import {
  createLocalEngine,
  createManualClock,
  type LocalEngine,
  type ManualClock,
} from '../../src/local/index';
import { createLocalOps } from '../../src/ops/local-ops';
import { launchChromium } from '../helpers/dashboard-app';

const HOUR = 3_600_000;
let clock: ManualClock;

// Each run takes the milliseconds its payload says on the manual clock, one run at a time (the engine's
// concurrency is 1: runs side by side would each see the other's advance), so the durations are known exactly.
const resizeImage = defineJob({
  name: 'resize-image',
  queue: 'media',
  schema: z.object({ ms: z.number() }),
  perform: ({ ms }) => void clock.advance(ms),
});
/** Fails its first attempt, succeeds on the second. */
const chargeCard = defineJob({
  name: 'charge-card',
  queue: 'payments',
  schema: z.object({ ms: z.number() }),
  retry: { attempts: 3, backoff: { strategy: 'fixed', delay: '10s', jitter: 0 } },
  perform: ({ ms }, ctx) => {
    clock.advance(ms);
    if (ctx.attempt === 1) throw new Error('card network timed out');
  },
});
/** Fails every attempt: retried once, then dead-lettered. */
const notifyCourier = defineJob({
  name: 'notify-courier',
  queue: 'parcels',
  schema: z.object({ ms: z.number() }),
  retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '10s', jitter: 0 } },
  perform: ({ ms }) => {
    clock.advance(ms);
    throw new Error('courier API refused: 503');
  },
});
class UnknownAccount extends Error {}
/** Discarded at its first attempt: the account is gone, a retry cannot help. */
const closeAccount = defineJob({
  name: 'close-account',
  queue: 'payments',
  schema: z.object({}),
  retry: { discardOn: [UnknownAccount] },
  perform: () => {
    throw new UnknownAccount('no such account');
  },
});
/** Never enqueued: a row with nothing in it. */
const archiveLogs = defineJob({ name: 'archive-logs', schema: z.object({}), perform: () => undefined });

// The Performance page in real headless Chromium, over the embedded engine's ops after real runs.
describe('the Performance page in Chromium', () => {
  let browser: Browser;
  let engine: LocalEngine;
  let dashboard: Dashboard;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    clock = createManualClock(Date.UTC(2026, 11, 2, 9, 0, 30));
    const registry = createRegistry([resizeImage, chargeCard, notifyCourier, closeAccount, archiveLogs]);
    engine = createLocalEngine({ registry, clock, concurrency: 1 });
    dashboard = await startDashboard({ ops: createLocalOps({ engine, registry }), audit: () => undefined });
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(5_000);
    problems.length = 0;
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Injected by the browser driver, outside the page's CSP: it reports what the CSP refused.
    await page.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (event) => {
        console.error('CSP violation: ' + event.violatedDirective + ' ' + event.blockedURI);
      });`,
    });
  });
  afterEach(async () => {
    await page.context().close();
    await dashboard.close();
    engine.close();
  });

  async function runJobs(): Promise<void> {
    for (const ms of [100, 200, 300, 400]) await engine.client.enqueue(resizeImage.with({ ms }));
    for (const ms of [50, 50]) await engine.client.enqueue(chargeCard.with({ ms }));
    await engine.client.enqueue(notifyCourier.with({ ms: 1000 }));
    await engine.client.enqueue(closeAccount.with({}));
    await engine.runUntilIdle();
  }

  /** The table's row of a job as header -> cell text. */
  async function rowOf(job: string): Promise<Record<string, string>> {
    const table = page.locator('table.performance');
    const headers = await table.locator('thead th').allTextContents();
    const cells = await table.locator(`tbody tr[data-job="${job}"] td`).allTextContents();
    expect(cells).toHaveLength(headers.length);
    return Object.fromEntries(headers.map((h, i) => [h, cells[i]!.trim()]));
  }
  /** A duration cell ("200 ms", "1.0 s") in milliseconds. */
  const ms = (text: string | undefined) => {
    const [, value, unit] = /^([\d.]+) (ms|s)$/.exec(text ?? '') ?? [];
    return Number(value) * (unit === 's' ? 1000 : 1);
  };
  const seriesOf = (panel: 'runs' | 'p95'): Locator => page.locator(`svg.plot g.panel.${panel} g.series`);

  it('shows per job type what ran, how it ended, its p50 and p95, retry rate and cost, with no CSP violation', async () => {
    await runJobs();
    await page.goto(dashboard.loginUrl);
    await page.getByRole('link', { name: 'Performance' }).click();
    expect(new URL(page.url()).pathname).toBe('/performance');
    expect(await page.locator('h1').textContent()).toBe('Performance');

    const resize = await rowOf('resize-image');
    expect(resize).toMatchObject({ Queue: 'media', Runs: '4', Succeeded: '4', Retried: '0', Dead: '0' });
    expect(resize['Retry rate']).toBe('0%');
    // Durations 100, 200, 300, 400: nearest rank p50 = 200, p95 = 400; the engine's sketch is within 1%.
    expect(Math.abs(ms(resize.p50) - 200)).toBeLessThanOrEqual(2);
    expect(Math.abs(ms(resize.p95) - 400)).toBeLessThanOrEqual(4);
    expect(resize['Cost per 1,000 runs']).toMatch(/^\$0\.\d+$/);

    const charge = await rowOf('charge-card');
    // Two jobs, each failing once then succeeding: four runs, half of them retried.
    expect(charge).toMatchObject({ Runs: '4', Succeeded: '2', Retried: '2', Dead: '0', Discarded: '0' });
    expect(charge['Retry rate']).toBe('50%');
    expect(Math.abs(ms(charge.p95) - 50)).toBeLessThanOrEqual(1);

    const courier = await rowOf('notify-courier');
    expect(courier).toMatchObject({
      Runs: '2',
      Succeeded: '0',
      Retried: '1',
      Dead: '1',
      'Retry rate': '50%',
    });
    expect(Math.abs(ms(courier.p50) - 1000)).toBeLessThanOrEqual(10);

    expect(await rowOf('close-account')).toMatchObject({ Runs: '1', Discarded: '1', Retried: '0' });
    expect(await rowOf('archive-logs')).toMatchObject({
      Runs: '0',
      p50: '–',
      p95: '–',
      'Retry rate': '–',
      'Cost per 1,000 runs': '–',
    });
    expect(await page.locator('p.prices').textContent()).toMatch(
      /at us-east-1 list prices compiled on 2026-11-25; source: .*performance-anchors\.md/,
    );
    expect(problems).toEqual([]);
  });

  it('plots a series per job type that ran, whose points add up to its runs, as an image with a text equivalent', async () => {
    await runJobs();
    await page.goto(dashboard.loginUrl);
    await page.goto(`${dashboard.url}/performance`);
    const svg = page.getByRole('img');
    expect(await svg.count()).toBe(1);
    expect(await svg.getAttribute('aria-label')).toMatch(
      /^Runs per 1 min and p95 duration of 4 job types, .*; the table has the same numbers\.$/,
    );
    const ran = ['charge-card', 'close-account', 'notify-courier', 'resize-image'];
    for (const panel of ['runs', 'p95'] as const) {
      const jobs = await seriesOf(panel).evaluateAll((groups) =>
        groups.map((g) => g.getAttribute('data-job')),
      );
      expect(jobs).toEqual(ran);
    }
    // Each point's hover text says its runs: they add up to the table's count.
    for (const [job, runs] of [
      ['resize-image', 4],
      ['charge-card', 4],
      ['notify-courier', 2],
    ] as const) {
      const titles = await seriesOf('runs')
        .and(page.locator(`[data-job="${job}"]`))
        .locator('circle title')
        .allTextContents();
      const sum = titles.reduce((n, t) => n + Number(/: (\d+) runs?$/.exec(t)?.[1]), 0);
      expect(sum).toBe(runs);
    }
    // Drawn on the screen, each in its own colour (classes of the stylesheet: no inline style).
    const strokes = await seriesOf('runs').evaluateAll((groups) =>
      groups.map((g) => {
        const view = globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } };
        return view.getComputedStyle(g.querySelector('path')).stroke;
      }),
    );
    expect(new Set(strokes).size).toBe(ran.length);
    const box = await svg.boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    expect(await page.locator('[style]').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('changes the window by its links, and says so when nothing ran in it', async () => {
    await runJobs();
    clock.advance(2 * HOUR); // the runs are now out of the last hour, but in the last 6 hours
    await page.goto(dashboard.loginUrl);
    await page.goto(`${dashboard.url}/performance`);
    expect(await page.locator('nav.windows a[aria-current="page"]').textContent()).toBe('last hour');
    expect(await page.locator('main').textContent()).toContain('No runs in this window.');
    expect(await page.locator('svg.plot').count()).toBe(0);
    expect((await rowOf('resize-image')).Runs).toBe('0');

    await page.getByRole('link', { name: 'last 6 h' }).click();
    expect(new URL(page.url()).search).toBe('?window=6h');
    expect(await page.locator('nav.windows a[aria-current="page"]').textContent()).toBe('last 6 h');
    expect((await rowOf('resize-image')).Runs).toBe('4');
    expect(await page.locator('svg.plot g.panel.runs .panel-title').textContent()).toBe(
      'Runs per 10 min (count)',
    );
    expect(await seriesOf('runs').count()).toBe(4);

    await page.getByRole('link', { name: 'last 7 d' }).click();
    expect((await rowOf('notify-courier')).Dead).toBe('1');
    expect(await page.locator('svg.plot g.panel.runs .panel-title').textContent()).toBe(
      'Runs per 3 h (count)',
    );
    expect(problems).toEqual([]);
  });

  it('refuses a window it does not offer, naming the ones it does', async () => {
    await page.goto(dashboard.loginUrl);
    const response = await page.goto(`${dashboard.url}/performance?window=2w`);
    expect(response?.status()).toBe(400);
    expect(await page.locator('main').textContent()).toContain(
      'Unknown window "2w": one of 1h, 6h, 24h, 7d.',
    );
  });
});

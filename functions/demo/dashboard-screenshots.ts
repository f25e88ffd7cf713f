import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startDashboard } from 'wharf-jobs/dashboard';
import { createLocalEngine } from 'wharf-jobs/local';
import { createLocalOps } from 'wharf-jobs/ops';
import { registry } from '../registry';
import { seed, start } from './local-app';

// `npx tsx functions/demo/dashboard-screenshots.ts`: the README's dashboard pictures, taken in headless Chromium
// from the example app after its demo morning (the same data as `wharf --local functions/demo/local-app.ts`).
const DOCS = resolve(import.meta.dirname, '../../docs');

const engine = createLocalEngine({ registry, installAsDefault: true });
const stop = await start();
await seed(engine);
const ops = createLocalOps({ engine, registry });
// Something paused, so the queues page shows what that looks like.
await ops.pause({ kind: 'job', name: 'dispatch-webhook' }, { reason: 'partner API migration' });
const dashboard = await startDashboard({
  ops,
  afterAction: async () => void (await engine.runUntilIdle()),
});
const browser = await chromium.launch({
  executablePath: process.env.WHARF_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, deviceScaleFactor: 1 });
  const shoot = async (name: string) => {
    await page.screenshot({ path: resolve(DOCS, `dashboard-${name}.png`), fullPage: true });
    console.log(`docs/dashboard-${name}.png`);
  };
  await page.goto(dashboard.loginUrl);
  await shoot('overview');
  await page.goto(`${dashboard.url}/queues`);
  await shoot('queues');
  await page.goto(`${dashboard.url}/dead-letters`);
  await shoot('dead-letters');
  await page.getByRole('row').nth(1).getByRole('link').first().click();
  await shoot('dead-letter');
  await page.goto(`${dashboard.url}/jobs?status=dead`);
  await page.getByRole('row').nth(1).getByRole('link').first().click();
  await shoot('job');
  await page.goto(`${dashboard.url}/jobs`);
  await shoot('jobs');
  await page.goto(`${dashboard.url}/schedules`);
  await shoot('schedules');
  await page.goto(`${dashboard.url}/performance`);
  await shoot('performance');
} finally {
  await browser.close();
  await dashboard.close();
  engine.close();
  await stop();
}

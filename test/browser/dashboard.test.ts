import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type DashboardApp,
  deliverParcel,
  hourlySweep,
  launchChromium,
  parcels,
  startDashboardApp,
} from '../helpers/dashboard-app';

// The dashboard in real headless Chromium, over the embedded engine.
describe('the dashboard in Chromium', () => {
  let browser: Browser;
  let app: DashboardApp;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());
  beforeEach(async () => {
    parcels.down = true;
    parcels.delivered.clear();
    app = await startDashboardApp();
    page = await (await browser.newContext()).newPage();
    // A step that cannot happen fails at that step, not at the test's timeout.
    page.setDefaultTimeout(5_000);
  });
  afterEach(async () => {
    await page.context().close();
    await app.close();
  });

  async function deadParcel(note: string): Promise<string> {
    const payload = { parcelId: 'p-1', note, recipient: { phone: '+44 7700 900123' } };
    const { jobId } = await app.engine.client.enqueue(deliverParcel.with(payload));
    await app.engine.runUntilIdle();
    return jobId;
  }

  it('refuses a visit without the token and shows nothing of the jobs', async () => {
    const jobId = await deadParcel('leave at the door');
    const response = await page.goto(`${app.dashboard.url}/dead-letters`);
    expect(response?.status()).toBe(401);
    const body = await page.content();
    expect(body).toMatch(/needs the token/);
    expect(body).not.toContain(jobId);
    const wrong = await page.goto(`${app.dashboard.url}/?token=not-the-token`);
    expect(wrong?.status()).toBe(401);
  });

  it("shows a batch's progress from the nav, and its onFinish job once the batch has ended", async () => {
    const parcel = (parcelId: string) =>
      deliverParcel.with({ parcelId, note: 'n', recipient: { phone: '1' } });
    parcels.down = false;
    const { batchId } = await app.engine.client.enqueueBatch!([parcel('r-1'), parcel('r-2'), parcel('r-3')], {
      onFinish: parcel('round-done'),
      description: 'evening round',
    });
    await page.goto(app.dashboard.loginUrl);
    await page.getByRole('link', { name: 'Batches' }).click();
    const row = page.getByRole('row').filter({ hasText: batchId });
    expect(await row.textContent()).toMatch(/0\/3/);
    expect(await row.locator('progress').getAttribute('value')).toBe('0');

    await app.engine.runUntilIdle();
    await page.reload();
    expect(await row.locator('progress').getAttribute('value')).toBe('3');
    await row.getByRole('link', { name: batchId }).click();
    expect(await page.locator('main').textContent()).toContain('3/3 ended: 3 succeeded; onFinish sent');
    await page.getByRole('link', { name: `${batchId}:onFinish` }).click();
    expect(await page.locator('.status').first().textContent()).toBe('succeeded');
    expect(parcels.delivered.get(`${batchId}:onFinish`)).toBe(1);
  });

  it('lists dead letters, opens one, retries it after a confirmation, and the job succeeds', async () => {
    const jobId = await deadParcel('leave at the door');
    await page.goto(app.dashboard.loginUrl);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar for a cookie
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const row = page.getByRole('row').filter({ hasText: jobId });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/retries-exhausted/);
    await row.getByRole('link').first().click();
    expect(await page.locator('main').textContent()).toMatch(/courier API refused parcel p-1/);
    const payload = await page.locator('pre').filter({ hasText: 'parcelId' }).textContent();
    expect(payload).toContain('[redacted]');
    expect(payload).not.toContain('7700 900123');

    parcels.down = false;
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    expect(await page.locator('main').textContent()).toMatch(/Retry 1 dead letter\?/);
    await page.getByRole('button', { name: 'Yes, retry 1' }).click();
    expect(await page.locator('main').textContent()).toMatch(/Retried 1 dead letter\./);
    await page.getByRole('link', { name: jobId }).click();
    expect(await page.locator('.status').first().textContent()).toBe('succeeded');
    expect(parcels.delivered.get(jobId)).toBe(1);
    expect(app.audit).toEqual([expect.stringMatching(/^retry .*: 1 done, 0 failed, 0 not found$/)]);
  });

  it('shows a payload carrying <script> as text, and no script runs', async () => {
    const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
    await deadParcel(hostile);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(app.dashboard.loginUrl);
    await page.goto(`${app.dashboard.url}/dead-letters`);
    await page.getByRole('row').nth(1).getByRole('link').first().click();
    const shown = await page.locator('pre').filter({ hasText: 'parcelId' }).textContent();
    expect(shown).toContain('<script>window.__pwned = 1</script>');
    expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('discards selected dead letters after a confirmation', async () => {
    await deadParcel('first');
    const kept = await deadParcel('second');
    await page.goto(app.dashboard.loginUrl);
    await page.goto(`${app.dashboard.url}/dead-letters`);
    const rows = page.getByRole('row').filter({ has: page.getByRole('checkbox') });
    await rows.filter({ hasNotText: kept }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Discard selected' }).click();
    await page.getByRole('button', { name: 'Yes, discard 1' }).click();
    expect(await page.locator('main').textContent()).toMatch(/Discarded 1 dead letter\./);
    await page.goto(`${app.dashboard.url}/dead-letters`);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(kept);
  });

  it('lists recurring schedules with their next runs, and runs one now after a confirmation', async () => {
    await page.goto(app.dashboard.loginUrl);
    await page.getByRole('link', { name: 'Schedules' }).click();
    const row = page.getByRole('row').filter({ hasText: 'hourly-sweep' });
    expect(await row.textContent()).toMatch(
      /hourly-sweep\s*recurring\s*sweep-lockers\s*cron\(0 \* \* \* \? \*\)\s*UTC/,
    );
    expect(await row.locator('time').count()).toBe(3);
    await row.getByRole('button', { name: 'Run now' }).click();
    expect(await page.locator('main').textContent()).toMatch(/Run hourly-sweep now/);
    await page.getByRole('button', { name: 'Yes, run it now' }).click();
    await page.locator('.notice a').click();
    expect(await page.locator('.status').first().textContent()).toBe('succeeded');
    expect(app.audit).toEqual([
      expect.stringMatching(/^run-now hourly-sweep: job recurring:hourly-sweep:manual:/),
    ]);
  });

  it('pauses a queue with a reason after a confirmation, shows it paused, and resumes it', async () => {
    parcels.down = false;
    await page.goto(app.dashboard.loginUrl);
    await page.getByRole('link', { name: 'Queues' }).click();
    expect(await page.locator('main').textContent()).toContain('Nothing is paused.');
    await page.getByRole('button', { name: 'pause queue parcels', exact: true }).click();
    expect(await page.locator('.notice').textContent()).toMatch(/Pause queue parcels\?/);
    await page.getByLabel(/Reason/).fill('courier API down');
    await page.getByRole('button', { name: 'Yes, pause queue parcels' }).click();
    expect(await page.locator('.notice').textContent()).toMatch(
      /Paused queue parcels\.\s*paused since 2026-11-25 09:00:00Z, courier API down/,
    );

    // Paused, nothing is delivered from the queue: an enqueued job waits.
    const { jobId } = await app.engine.client.enqueue(
      deliverParcel.with({ parcelId: 'p-7', note: 'n', recipient: { phone: '1' } }),
    );
    await app.engine.runUntilIdle();
    await page.getByRole('link', { name: 'Back to queues' }).click();
    const paused = page.locator('table.paused').getByRole('row').filter({ hasText: 'parcels' });
    expect(await paused.textContent()).toMatch(
      /queue\s*parcels\s*paused since 2026-11-25 09:00:00Z, courier API down/,
    );
    expect(parcels.delivered.has(jobId)).toBe(false);
    await page.getByRole('link', { name: 'Overview' }).click();
    expect(await page.getByRole('row').filter({ hasText: 'parcels' }).textContent()).toContain('paused');

    await page.getByRole('link', { name: 'Queues' }).click();
    await paused.getByRole('button', { name: 'resume queue parcels' }).click();
    await page.getByRole('button', { name: 'Yes, resume queue parcels' }).click();
    expect(await page.locator('.notice').textContent()).toMatch(/Resumed queue parcels\./);
    await page.getByRole('link', { name: 'Back to queues' }).click();
    expect(await page.locator('main').textContent()).toContain('Nothing is paused.');
    expect(parcels.delivered.get(jobId)).toBe(1);
    expect(app.audit).toEqual([
      'pause queue parcels (reason: courier API down): changed',
      'resume queue parcels: changed',
    ]);
  });

  it('pauses a recurring schedule after a confirmation, shows it paused, and resumes it', async () => {
    await page.goto(app.dashboard.loginUrl);
    await page.getByRole('link', { name: 'Schedules' }).click();
    const row = page.getByRole('row').filter({ hasText: hourlySweep.task });
    expect(await row.textContent()).toMatch(/enabled/);
    await row.getByRole('button', { name: `pause schedule ${hourlySweep.task}` }).click();
    expect(await page.locator('main').textContent()).toMatch(/Pause schedule hourly-sweep\?/);
    expect(await page.getByLabel(/Reason/).count()).toBe(0); // Scheduler keeps no reason
    await page.getByRole('button', { name: 'Yes, pause schedule hourly-sweep' }).click();
    expect(await page.locator('.notice').textContent()).toMatch(/Paused schedule hourly-sweep\./);
    await page.getByRole('link', { name: 'Back to schedules' }).click();
    expect(await row.textContent()).toMatch(/paused since/);
    expect(await row.locator('time').count()).toBe(1); // no next runs while paused: only the pause's time
    expect((await app.engine.scheduler.getRecurring(hourlySweep.task))?.enabled).toBe(false);

    await row.getByRole('button', { name: `resume schedule ${hourlySweep.task}` }).click();
    await page.getByRole('button', { name: 'Yes, resume schedule hourly-sweep' }).click();
    await page.getByRole('link', { name: 'Back to schedules' }).click();
    expect(await row.textContent()).toMatch(/enabled/);
    expect(await row.locator('time').count()).toBe(3);
    expect((await app.engine.scheduler.getRecurring(hourlySweep.task))?.enabled).toBe(true);
  });

  it('cancels a waiting job from its page after a confirmation, and it never runs', async () => {
    parcels.down = false;
    await app.engine.store.setPause(
      { kind: 'job', name: deliverParcel.name },
      { paused: true },
      app.engine.clock.nowMs(),
    );
    const { jobId } = await app.engine.client.enqueue(
      deliverParcel.with({ parcelId: 'p-9', note: 'n', recipient: { phone: '1' } }),
    );
    await app.engine.runUntilIdle();
    await page.goto(app.dashboard.loginUrl);
    await page.getByRole('link', { name: 'Jobs' }).click();
    expect(await page.locator('p.counts').textContent()).toMatch(/queued\s*1/);
    await page.getByRole('link', { name: jobId }).click();
    await page.getByRole('button', { name: `cancel job ${jobId}` }).click();
    expect(await page.locator('.notice').textContent()).toMatch(
      new RegExp(`Cancel job ${jobId}\\?\\s*It is queued \\(deliver-parcel on parcels\\)`),
    );
    await page.getByRole('button', { name: `Yes, cancel job ${jobId}` }).click();
    expect(await page.locator('h1').textContent()).toBe('Cancelled');
    expect(await page.locator('.notice').textContent()).toMatch(/on its queue: a cancellation is recorded/);
    expect(app.audit).toEqual([`cancel ${jobId}: cancelled at queue`]);

    // The job type resumed, its message comes back to its claim, which acknowledges it without running it.
    await app.engine.store.setPause(
      { kind: 'job', name: deliverParcel.name },
      { paused: false },
      app.engine.clock.nowMs(),
    );
    await app.engine.runUntilIdle();
    expect(parcels.delivered.has(jobId)).toBe(false);
    await page.getByRole('link', { name: 'The job' }).click();
    expect(await page.locator('.status').first().textContent()).toBe('cancelled');
    expect(await page.locator('dd.skipped').textContent()).toBe('cancelled before it started');
    expect(await page.getByRole('button', { name: `cancel job ${jobId}` }).count()).toBe(0);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page
      .locator('p.counts')
      .getByRole('link', { name: /cancelled/ })
      .click();
    expect(new URL(page.url()).search).toBe('?status=cancelled');
    expect(await page.getByRole('row').filter({ hasText: jobId }).textContent()).toMatch(
      /cancelled[\s\S]*cancelled before it started/,
    );
  });

  it("shows on a job's page why it waits and until when", async () => {
    await page.goto(app.dashboard.loginUrl);
    await page.getByRole('link', { name: 'Queues' }).click();
    await page.getByRole('button', { name: 'pause job deliver-parcel', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, pause job deliver-parcel' }).click();
    const { jobId } = await app.engine.client.enqueue(
      deliverParcel.with({ parcelId: 'p-8', note: 'n', recipient: { phone: '1' } }),
    );
    await app.engine.runUntilIdle();
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('link', { name: jobId }).click();
    expect(await page.locator('.status').first().textContent()).toBe('queued');
    expect(await page.locator('dd.deferred').textContent()).toMatch(
      /^put off: paused until \d\d:\d\d:\d\dZ, 1 time \(see what is paused\)$/,
    );
    await page.locator('dd.deferred').getByRole('link').click();
    expect(await page.locator('table.paused').textContent()).toMatch(/job\s*deliver-parcel\s*paused since/);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfToken } from '../../src/dashboard/security';
import { type DashboardApp, deliverParcel, parcels, startDashboardApp } from '../helpers/dashboard-app';
import { dashboardHttp, textOf } from '../helpers/dashboard-http';

const parcel = (parcelId: string) => deliverParcel.with({ parcelId, note: 'n', recipient: { phone: '1' } });

// Cancel from the dashboard, request by request, over the embedded engine: the button, the confirmation (a GET
// that changes nothing), the confirmed POST, what the pages then show, and the refusals; and the job listings of
// the new statuses. In Chromium in test/browser/dashboard.test.ts.
describe('dashboard cancel over HTTP', () => {
  let app: DashboardApp;
  let http: ReturnType<typeof dashboardHttp>;
  let csrf: string;
  beforeEach(async () => {
    parcels.down = false;
    parcels.delivered.clear();
    app = await startDashboardApp();
    http = dashboardHttp(app.dashboard);
    csrf = csrfToken(app.dashboard.token);
  });
  afterEach(() => app.close());

  const record = (jobId: string) => app.engine.store.get(jobId, app.engine.clock.nowMs());
  /** A job put off by its paused job type: waiting, with a record, as an operator finds one. */
  async function waitingJob(parcelId: string): Promise<string> {
    await http.post('/pause', { csrf, kind: 'job', name: deliverParcel.name, confirm: 'yes' });
    const { jobId } = await app.engine.client.enqueue(parcel(parcelId));
    await app.engine.runUntilIdle();
    expect(await record(jobId)).toMatchObject({ status: 'queued' });
    return jobId;
  }

  it('offers Cancel on a waiting job, confirms on a page of its own, and the job never runs', async () => {
    const jobId = await waitingJob('p-1');
    const page = await http.get(`/jobs/${jobId}`);
    expect(page.body).toContain('<form method="get" action="/cancel">');
    expect(page.body).toContain(`aria-label="cancel job ${jobId}"`);

    const confirm = await http.get(`/cancel?job=${jobId}`);
    expect(confirm.status).toBe(200);
    expect(textOf(confirm.body)).toMatch(
      new RegExp(
        `Cancel job ${jobId}\\? It is queued \\(deliver-parcel on parcels\\)\\. It has not started \\(again\\)\\. A cancellation is recorded that its claim honours`,
      ),
    );
    expect(confirm.body).toContain(`name="csrf" value="${csrf}"`);
    expect(confirm.body).not.toMatch(/<script/i);
    expect((await record(jobId))?.cancelRequestedAtMs).toBeUndefined(); // the GET changed nothing

    const done = await http.post('/cancel', { csrf, job: jobId, confirm: 'yes' });
    expect(done.status).toBe(200);
    expect(textOf(done.body)).toMatch(
      new RegExp(
        `Cancelled cancelled job "${jobId}" on its queue: a cancellation is recorded that its claim honours`,
      ),
    );
    expect(app.audit.at(-1)).toBe(`cancel ${jobId}: cancelled at queue`);

    // Resumed, the job comes back to its claim, which finds the cancellation: it is acknowledged unrun.
    await http.post('/resume', { csrf, kind: 'job', name: deliverParcel.name, confirm: 'yes' });
    expect(parcels.delivered.has(jobId)).toBe(false);
    expect(await record(jobId)).toMatchObject({ status: 'cancelled', attempt: 0 });
    const after = await http.get(`/jobs/${jobId}`);
    expect(textOf(after.body)).toMatch(
      /Status cancelled Why cancelled before it started Cancel requested \d{4}-/,
    );
    expect(after.body).not.toContain('action="/cancel"'); // nothing left to cancel

    const listed = textOf((await http.get('/jobs?status=cancelled')).body);
    expect(listed).toMatch(new RegExp(`cancelled deliver-parcel ${jobId} 0 cancelled before it started`));
    expect(listed).toMatch(
      /queued 0 running 0 succeeded 0 retrying 0 dead 0 discarded 0 expired 0 cancelled 1 of 1 job record/,
    );
  });

  it('cancels by id from the jobs page a job waiting in a schedule, which leaves no record', async () => {
    const payload = { parcelId: 'p-2', note: 'n', recipient: { phone: '1' } };
    const waiting = await app.engine.client.enqueue(deliverParcel.with(payload, { delay: '2h' }));
    expect(waiting.via).toBe('scheduler');
    const jobs = await http.get('/jobs');
    expect(jobs.body).toContain('<form class="filters" method="get" action="/cancel">');

    const confirm = textOf((await http.get(`/cancel?job=${waiting.jobId}`)).body);
    expect(confirm).toMatch(
      /No run of it has been recorded\. If it waits in a schedule, the schedule is deleted\./,
    );
    const done = await http.post('/cancel', { csrf, job: waiting.jobId, confirm: 'yes' });
    expect(textOf(done.body)).toContain(
      `cancelled job "${waiting.jobId}": its schedule was deleted before it fired, so it never runs.`,
    );
    expect(done.body).not.toContain(`href="/jobs/${waiting.jobId}"`); // no record to show
    expect(app.audit.at(-1)).toBe(`cancel ${waiting.jobId}: cancelled at schedule`);
    await app.engine.runUntilIdle();
    expect(parcels.delivered.has(waiting.jobId)).toBe(false);
  });

  it('shows a job that has ended with nothing to confirm, and says what a cancel posted anyway did', async () => {
    const { jobId } = await app.engine.client.enqueue(parcel('p-3'));
    await app.engine.runUntilIdle();
    expect(parcels.delivered.get(jobId)).toBe(1);
    expect((await http.get(`/jobs/${jobId}`)).body).not.toContain('action="/cancel"');
    const confirm = await http.get(`/cancel?job=${jobId}`);
    expect(textOf(confirm.body)).toMatch(/has already ended: there is nothing to cancel\. It is succeeded/);
    expect(confirm.body).not.toContain('method="post"');

    const posted = await http.post('/cancel', { csrf, job: jobId, confirm: 'yes' });
    expect(posted.status).toBe(200);
    expect(textOf(posted.body)).toMatch(
      new RegExp(`Not cancelled did not cancel job "${jobId}"\\. it had already ended \\(succeeded\\)`),
    );
    expect(app.audit.at(-1)).toBe(`cancel ${jobId}: not-cancelled`);
  });

  it('lists expired jobs with the reason they were skipped, and counts them', async () => {
    const nowMs = app.engine.clock.nowMs();
    // Recorded as the engine records a job not started by its `expiresIn`: the store's recordSkipped.
    await app.engine.store.recordSkipped({
      jobId: 'parcel-expired',
      jobName: deliverParcel.name,
      queue: 'parcels',
      status: 'expired',
      reason: 'expired 12s after it was due (expiresIn 1m)',
      createdAtMs: nowMs - 72_000,
      nowMs,
      expiresAtSec: Math.ceil(nowMs / 1000) + 3_600,
    });
    const listed = await http.get('/jobs?status=expired');
    expect(listed.body).toContain('<option value="expired" selected>expired</option>');
    expect(listed.body).toContain('<a href="/jobs?status=expired" class="count active">');
    expect(textOf(listed.body)).toMatch(/parcel-expired 0 expired 12s after it was due \(expiresIn 1m\)/);
    expect(textOf(listed.body)).toMatch(/expired 1 cancelled 0 of 1 job record/);
    const page = textOf((await http.get('/jobs/parcel-expired')).body);
    expect(page).toMatch(/Status expired Why expired 12s after it was due \(expiresIn 1m\)/);
    expect(textOf((await http.get('/')).body)).toMatch(
      /expired deliver-parcel parcel-expired 0 expired 12s after/,
    );
  });

  it('refuses a cancel that is not confirmed, names no job, or does not come from its own form', async () => {
    const jobId = await waitingJob('p-4');
    expect((await http.post('/cancel', { csrf, job: jobId })).status).toBe(400);
    expect((await http.get('/cancel')).status).toBe(400);
    expect((await http.post('/cancel', { csrf, job: ' ', confirm: 'yes' })).status).toBe(400);
    expect((await http.post('/cancel', { csrf: 'forged', job: jobId, confirm: 'yes' })).status).toBe(403);
    const crossSite = await http.post(
      '/cancel',
      { csrf, job: jobId, confirm: 'yes' },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect((await record(jobId))?.cancelRequestedAtMs).toBeUndefined();
    expect(app.audit.filter((line) => line.startsWith('cancel'))).toEqual([]);
  });
});

describe('dashboard cancel, read-only', () => {
  let app: DashboardApp;
  beforeEach(async () => {
    parcels.down = true;
    app = await startDashboardApp({ readOnly: true });
  });
  afterEach(() => app.close());

  it('offers no Cancel, and refuses the confirmation page and the post with 403', async () => {
    const { jobId } = await app.engine.client.enqueue(parcel('p-5'));
    await app.engine.tick(); // its first attempt fails: it waits for its retry
    const http = dashboardHttp(app.dashboard);
    const csrf = csrfToken(app.dashboard.token);
    const record = await app.engine.store.get(jobId, app.engine.clock.nowMs());
    expect(record?.status).toBe('retrying');
    expect((await http.get(`/jobs/${jobId}`)).body).not.toContain('action="/cancel"');
    expect((await http.get('/jobs')).body).not.toContain('action="/cancel"');
    expect((await http.get(`/cancel?job=${jobId}`)).status).toBe(403);
    expect((await http.post('/cancel', { csrf, job: jobId, confirm: 'yes' })).status).toBe(403);
    expect(
      (await app.engine.store.get(jobId, app.engine.clock.nowMs()))?.cancelRequestedAtMs,
    ).toBeUndefined();
  });
});

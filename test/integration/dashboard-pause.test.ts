import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfToken } from '../../src/dashboard/security';
import {
  type DashboardApp,
  deliverParcel,
  hourlySweep,
  parcels,
  startDashboardApp,
} from '../helpers/dashboard-app';
import { dashboardHttp, textOf } from '../helpers/dashboard-http';

const parcel = (parcelId: string) => deliverParcel.with({ parcelId, note: 'n', recipient: { phone: '1' } });

// Pause and resume from the dashboard, request by request, over the embedded engine: the confirmation (a GET that
// changes nothing), the confirmed POST, what the pages then show, and the refusals. The same pages over AWS ops on
// moto are in dashboard-pause-aws.test.ts; in Chromium in test/browser/dashboard.test.ts.
describe('dashboard pause and resume over HTTP', () => {
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

  const pauses = () => app.engine.store.listPauses(app.engine.clock.nowMs());
  const schedule = () => app.engine.scheduler.getRecurring(hourlySweep.task);

  it('lists queues and job types with nothing paused, each with a Pause that leads to a confirmation', async () => {
    const page = await http.get('/queues');
    expect(page.status).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Nothing is paused.');
    expect(text).toMatch(/parcels \d+ \d+ \d+ \d+ running Pause/);
    expect(text).toMatch(/deliver-parcel parcels running Pause/);
    // The flow control column: what an operator needs to read a deferral.
    expect(text).toMatch(/sweep-lockers parcels concurrency 1 running Pause/);
    expect(page.body).toContain('<form method="get" action="/pause">');
    // No script, as on every page: the buttons are plain forms.
    expect(page.body).not.toMatch(/<script/i);
  });

  it('pauses a queue only once confirmed: the GET shows what will happen and changes nothing', async () => {
    const confirm = await http.get('/pause?kind=queue&name=parcels');
    expect(confirm.status).toBe(200);
    expect(textOf(confirm.body)).toMatch(/Pause queue parcels\? Nothing is taken from it/);
    expect(confirm.body).toContain(`name="csrf" value="${csrf}"`);
    expect(confirm.body).toContain('name="reason"');
    expect(await pauses()).toEqual([]);

    const done = await http.post('/pause', {
      csrf,
      kind: 'queue',
      name: 'parcels',
      reason: 'courier API down',
      confirm: 'yes',
    });
    expect(done.status).toBe(200);
    expect(textOf(done.body)).toMatch(
      /Paused queue parcels\. paused since 2026-11-25 09:00:00Z, “?courier API down/,
    );
    expect(await pauses()).toEqual([
      expect.objectContaining({ kind: 'queue', name: 'parcels', reason: 'courier API down' }),
    ]);
    expect(app.audit).toEqual(['pause queue parcels (reason: courier API down): changed']);

    // Paused, the queue delivers nothing: the job waits in it.
    const { jobId } = await app.engine.client.enqueue(parcel('p-1'));
    await app.engine.runUntilIdle();
    expect(parcels.delivered.has(jobId)).toBe(false);

    const listed = textOf((await http.get('/queues')).body);
    expect(listed).toMatch(/queue parcels paused since 2026-11-25 09:00:00Z, courier API down Resume/);
    expect(listed).toMatch(
      /parcels \d+ \d+ \d+ \d+ paused since 2026-11-25 09:00:00Z, courier API down Resume/,
    );
    expect(textOf((await http.get('/')).body)).toMatch(/parcels paused/);

    const again = textOf((await http.get('/pause?kind=queue&name=parcels')).body);
    expect(again).toMatch(/already paused since 2026-11-25 09:00:00Z.*changes nothing/);

    expect(textOf((await http.get('/resume?kind=queue&name=parcels')).body)).toMatch(
      /Resume queue parcels\?/,
    );
    const resumed = await http.post('/resume', { csrf, kind: 'queue', name: 'parcels', confirm: 'yes' });
    expect(textOf(resumed.body)).toContain('Resumed queue parcels.');
    expect(await pauses()).toEqual([]);
    // Resumed, the job that waited runs (the dashboard's afterAction worked the engine off).
    expect(parcels.delivered.get(jobId)).toBe(1);
    expect(app.audit.at(-1)).toBe('resume queue parcels: changed');
  });

  it('pauses a job type: its jobs are put off without an attempt, and the job page says why and until when', async () => {
    await http.post('/pause', { csrf, kind: 'job', name: 'deliver-parcel', reason: '', confirm: 'yes' });
    expect(await pauses()).toEqual([expect.objectContaining({ kind: 'job', name: 'deliver-parcel' })]);
    expect((await pauses())[0]?.reason).toBeUndefined(); // an empty box is no reason

    const { jobId } = await app.engine.client.enqueue(parcel('p-2'));
    await app.engine.runUntilIdle();
    const record = await app.engine.store.get(jobId, app.engine.clock.nowMs());
    expect(record?.deferred).toMatchObject({ why: 'paused', count: 1 });
    expect(record).toMatchObject({ status: 'queued', attempt: 0 }); // no attempt used

    const page = textOf((await http.get(`/jobs/${jobId}`)).body);
    expect(page).toMatch(/Waiting put off: paused until \d\d:\d\d:\d\dZ, 1 time \(see what is paused\)/);
    expect(textOf((await http.get('/queues')).body)).toMatch(
      /job deliver-parcel paused since 2026-11-25 09:00:00Z Resume/,
    );

    // Resumed, the job runs when its message comes back (the dashboard's afterAction works the engine off).
    await http.post('/resume', { csrf, kind: 'job', name: 'deliver-parcel', confirm: 'yes' });
    expect(parcels.delivered.get(jobId)).toBe(1);
    expect(await app.engine.store.get(jobId, app.engine.clock.nowMs())).toMatchObject({ attempt: 1 });
    const after = textOf((await http.get(`/jobs/${jobId}`)).body);
    expect(after).toContain('succeeded');
    expect(after).not.toContain('put off');
  });

  it('pauses a recurring schedule (no reason asked: Scheduler keeps none) and resumes it', async () => {
    const confirm = await http.get(`/pause?kind=schedule&name=${hourlySweep.task}`);
    expect(textOf(confirm.body)).toMatch(
      /Pause schedule hourly-sweep\? The recurring schedule does not fire/,
    );
    expect(confirm.body).not.toContain('name="reason"');

    const done = await http.post('/pause', {
      csrf,
      kind: 'schedule',
      name: hourlySweep.task,
      confirm: 'yes',
    });
    expect(textOf(done.body)).toContain('Paused schedule hourly-sweep.');
    expect((await schedule())?.enabled).toBe(false);
    const listed = textOf((await http.get('/schedules')).body);
    expect(listed).toMatch(/hourly-sweep recurring sweep-lockers .* paused since .* Run now Resume/);
    expect(textOf((await http.get('/queues')).body)).toMatch(/schedule hourly-sweep paused since/);

    await http.post('/resume', { csrf, kind: 'schedule', name: hourlySweep.task, confirm: 'yes' });
    expect((await schedule())?.enabled).toBe(true);
    expect(textOf((await http.get('/schedules')).body)).toMatch(/hourly-sweep .* enabled Run now Pause/);
  });

  it('refuses a pause without the CSRF token, from another site, or unconfirmed, and changes nothing', async () => {
    const fields = { kind: 'queue', name: 'parcels', confirm: 'yes' };
    const refusals = [
      await http.post('/pause', { ...fields, csrf: '' }),
      await http.post('/pause', { ...fields, csrf: 'forged' }),
      await http.post('/pause', { ...fields, csrf }, { origin: 'https://evil.example' }),
      await http.post('/pause', { ...fields, csrf }, { 'sec-fetch-site': 'cross-site' }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(textOf(refusals[0]?.body ?? '')).toMatch(/CSRF check failed/);
    const unconfirmed = await http.post('/pause', { csrf, kind: 'queue', name: 'parcels' });
    expect(unconfirmed.status).toBe(400);
    expect(await pauses()).toEqual([]);
    expect(app.audit).toEqual([]);
  });

  it('answers an unknown target or kind with a clear error before anything is confirmed', async () => {
    const unknownQueue = await http.get('/pause?kind=queue&name=no-such-queue');
    expect(unknownQueue.status).toBe(404);
    expect(textOf(unknownQueue.body)).toContain('No queue "no-such-queue".');
    expect((await http.get('/pause?kind=job&name=no-such-job')).status).toBe(404);
    expect((await http.get('/pause?kind=schedule&name=no-such-task')).status).toBe(404);
    const badKind = await http.get('/pause?kind=tenant&name=parcels');
    expect(badKind.status).toBe(400);
    expect(textOf(badKind.body)).toContain('Unknown kind "tenant": queue, job or schedule.');
    // A forged post past the confirmation still meets ops' own checks.
    const posted = await http.post('/pause', { csrf, kind: 'queue', name: 'no-such-queue', confirm: 'yes' });
    expect(posted.status).toBe(404);
    const tooLong = await http.post('/pause', {
      csrf,
      kind: 'queue',
      name: 'parcels',
      reason: 'x'.repeat(501),
      confirm: 'yes',
    });
    expect(tooLong.status).toBe(400);
    expect(textOf(tooLong.body)).toContain('reason must be at most 500 characters (received 501)');
    expect(await pauses()).toEqual([]);
  });

  it('escapes a reason that carries markup', async () => {
    const reason = '<img src=x onerror="alert(1)"> courier down';
    await http.post('/pause', { csrf, kind: 'queue', name: 'parcels', reason, confirm: 'yes' });
    const page = await http.get('/queues');
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; courier down');
  });
});

describe('a read-only dashboard', () => {
  let app: DashboardApp;
  let http: ReturnType<typeof dashboardHttp>;
  beforeEach(async () => {
    parcels.down = true;
    app = await startDashboardApp({ readOnly: true });
    http = dashboardHttp(app.dashboard);
    await app.engine.client.enqueue(parcel('p-3'));
    await app.engine.runUntilIdle();
  });
  afterEach(() => app.close());

  it('shows the pages without a single action on them', async () => {
    for (const route of ['/', '/queues', '/schedules', '/dead-letters', '/jobs']) {
      const page = await http.get(route);
      expect(page.status, route).toBe(200);
      expect(page.body, route).not.toMatch(/<form method="post"|action="\/pause"|action="\/resume"/);
      expect(page.body, route).not.toContain('name="csrf"');
    }
    const queues = textOf((await http.get('/queues')).body);
    expect(queues).toMatch(/deliver-parcel parcels running/);
    expect(queues).not.toMatch(/\bPause\b/);
    const deadLetters = textOf((await http.get('/dead-letters')).body);
    expect(deadLetters).toContain('retries-exhausted');
    expect(deadLetters).not.toMatch(/Retry|Discard/);
  });

  it('refuses every action with 403, the CSRF token notwithstanding, and changes nothing', async () => {
    const csrf = csrfToken(app.dashboard.token);
    expect((await http.get('/pause?kind=queue&name=parcels')).status).toBe(403);
    const refusals = [
      await http.post('/pause', { csrf, kind: 'queue', name: 'parcels', confirm: 'yes' }),
      await http.post('/resume', { csrf, kind: 'queue', name: 'parcels', confirm: 'yes' }),
      await http.post('/dead-letters/act', { csrf, action: 'discard', all: 'yes', confirm: 'yes' }),
      await http.post('/schedules/run', { csrf, name: hourlySweep.task, confirm: 'yes' }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect(refusals.map((r) => r.body)).toEqual(
      Array.from({ length: 4 }, () => 'Refused: this dashboard is read-only.'),
    );
    expect(await app.engine.store.listPauses(app.engine.clock.nowMs())).toEqual([]);
    expect(await app.engine.transport.peekDeadLetters('parcels')).toHaveLength(1);
    expect(app.audit).toEqual([]);
  });
});

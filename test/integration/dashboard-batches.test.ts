import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DashboardApp, deliverParcel, parcels, startDashboardApp } from '../helpers/dashboard-app';
import { dashboardHttp, textOf } from '../helpers/dashboard-http';

// The Batches pages over the embedded engine, as `wharf --local ... dashboard` serves them, from a batch the
// engine's client enqueued and its engine ran (README "Batches").
describe('dashboard batches', () => {
  let app: DashboardApp;
  beforeEach(async () => {
    parcels.down = true;
    parcels.delivered.clear();
    app = await startDashboardApp();
  });
  afterEach(() => app.close());

  const get = (path: string) => {
    const http = dashboardHttp(app.dashboard);
    return http.send('GET', path, http.cookie());
  };
  const parcel = (parcelId: string) => deliverParcel.with({ parcelId, note: 'n', recipient: { phone: '1' } });

  it("lists a batch with its progress bar, links to its page, and shows it ending with its callbacks' states", async () => {
    const { batchId } = await app.engine.client.enqueueBatch!([parcel('b-1'), parcel('b-2')], {
      onSuccess: parcel('all-delivered'),
      onFinish: parcel('round-done'),
      description: 'morning round',
    });

    const open = await get('/batches');
    expect(open.status).toBe(200);
    expect(open.body).toContain('<a href="/batches" class="active">Batches</a>');
    expect(open.body).toContain(`<a href="/batches/${batchId}">${batchId}</a>`);
    expect(open.body).toContain('<progress max="2" value="0"');
    expect(textOf(open.body)).toContain('morning round');

    // The courier is down: both children are retried once, then dead.
    await app.engine.runUntilIdle();
    const page = await get(`/batches/${batchId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<progress max="2" value="2"');
    expect(textOf(page.body)).toContain('2/2 ended: 2 dead; onSuccess will not run, onFinish sent');
    // The onFinish callback was sent: its job is a link to its page.
    const callbackPage = `/jobs/${encodeURIComponent(`${batchId}:onFinish`)}`;
    expect(page.body).toContain(`href="${callbackPage}"`);
    expect((await get(callbackPage)).status).toBe(200);
  });

  it('answers 404 for a batch that does not exist', async () => {
    const missing = await get('/batches/no-such-batch');
    expect(missing.status).toBe(404);
    expect(textOf(missing.body)).toContain('No batch "no-such-batch"');
  });

  it('answers 400 for a cursor it did not issue', async () => {
    expect((await get('/batches?cursor=forged')).status).toBe(400);
  });
});

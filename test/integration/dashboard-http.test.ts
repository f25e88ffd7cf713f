import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfToken } from '../../src/dashboard/security';
import { type DashboardApp, deliverParcel, parcels, startDashboardApp } from '../helpers/dashboard-app';
import { dashboardHttp } from '../helpers/dashboard-http';

// The dashboard's defences, request by request (the browser test covers the same pages as a person uses them).
describe('dashboard HTTP security', () => {
  let app: DashboardApp;
  beforeEach(async () => {
    parcels.down = true;
    app = await startDashboardApp();
    await app.engine.client.enqueue(
      deliverParcel.with({ parcelId: 'p-9', note: 'n', recipient: { phone: '1' } }),
    );
    await app.engine.runUntilIdle();
  });
  afterEach(() => app.close());

  const http = () => dashboardHttp(app.dashboard);
  const send = (...args: Parameters<ReturnType<typeof dashboardHttp>['send']>) => http().send(...args);
  const cookie = () => http().cookie();
  const form = (fields: Record<string, string>) => http().form(fields);
  const formHeaders = (extra: Record<string, string> = {}) => http().formHeaders(extra);
  const discardAll = (csrf: string) => form({ csrf, action: 'discard', all: 'yes', confirm: 'yes' });
  const deadLetterCount = async () => (await app.engine.transport.peekDeadLetters('parcels')).length;

  it('sends a strict CSP and no-store on every answer, the refusals included', async () => {
    for (const reply of [await send('GET', '/'), await send('GET', '/', cookie())]) {
      expect(reply.headers['content-security-policy']).toBe(
        "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('trades the token in the address for an HttpOnly, SameSite=Strict cookie, and takes a bearer token too', async () => {
    const first = await send('GET', `/jobs?token=${app.dashboard.token}&status=dead`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/jobs?status=dead');
    expect(first.headers['set-cookie']?.[0]).toMatch(/^wharf_token=.+; HttpOnly; SameSite=Strict; Path=\/$/);
    expect((await send('GET', '/jobs', { authorization: `Bearer ${app.dashboard.token}` })).status).toBe(200);
    expect((await send('GET', '/jobs', { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('refuses a request that names another host (DNS rebinding)', async () => {
    expect(
      (await send('GET', '/', { ...cookie(), host: `evil.example:${new URL(app.dashboard.url).port}` }))
        .status,
    ).toBe(403);
  });

  it('refuses forms without the CSRF token, or sent from another site, and changes nothing', async () => {
    const csrf = csrfToken(app.dashboard.token);
    const refusals = [
      await send('POST', '/dead-letters/act', formHeaders(), discardAll('')),
      await send('POST', '/dead-letters/act', formHeaders(), discardAll('forged')),
      await send(
        'POST',
        '/dead-letters/act',
        formHeaders({ origin: 'https://evil.example' }),
        discardAll(csrf),
      ),
      await send(
        'POST',
        '/dead-letters/act',
        formHeaders({ 'sec-fetch-site': 'cross-site' }),
        discardAll(csrf),
      ),
      await send('POST', '/dead-letters/act', formHeaders({ origin: 'null' }), discardAll(csrf)),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);
    expect(await deadLetterCount()).toBe(1);
    expect(app.audit).toEqual([]);
    const accepted = await send('POST', '/dead-letters/act', formHeaders(), discardAll(csrf));
    expect(accepted.status).toBe(200);
    expect(await deadLetterCount()).toBe(0);
    expect(app.audit).toEqual(['discard all: 1 done, 0 failed, 0 not found']);
  });

  it('asks for confirmation: an action posted without it does nothing', async () => {
    const csrf = csrfToken(app.dashboard.token);
    const unconfirmed = form({ csrf, action: 'discard', all: 'yes' });
    expect((await send('POST', '/dead-letters/act', formHeaders(), unconfirmed)).status).toBe(400);
    expect(await deadLetterCount()).toBe(1);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { csrfToken } from '../../src/dashboard/security';

const ROOT = resolve(import.meta.dirname, '../..');
const APP = resolve(ROOT, 'test/fixtures/pause-app.ts');
const TSX = pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

// `wharf dashboard` as an operator starts it: the flag reaches the server (the pages themselves are tested in
// dashboard-http.test.ts, dashboard-pause.test.ts and in Chromium).
describe('wharf dashboard (--local)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  /** Starts the dashboard and resolves with the addresses it prints (`--json`: one line). */
  function start(...args: string[]): Promise<{ url: string; token: string }> {
    const cwd = mkdtempSync(join(tmpdir(), 'wharf-dashboard-'));
    const argv = ['--import', TSX, resolve(ROOT, 'src/cli/main.ts'), '--local', APP, '--json', 'dashboard'];
    const started = spawn(process.execPath, [...argv, '--port', '0', ...args], { cwd });
    child = started;
    return new Promise((done, fail) => {
      let out = '';
      let err = '';
      started.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      started.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (!line) return;
        const { url, loginUrl } = JSON.parse(line) as { url: string; loginUrl: string };
        done({ url, token: new URL(loginUrl).searchParams.get('token') ?? '' });
      });
      started.on('exit', (code) => fail(new Error(`wharf dashboard exited (${code}): ${err}`)));
    });
  }

  it('--read-only serves the pages without actions and refuses a pause, CSRF token and all', async () => {
    const { url, token } = await start('--read-only');
    const auth = { authorization: `Bearer ${token}` };
    const queues = await fetch(`${url}/queues`, { headers: auth });
    expect(queues.status).toBe(200);
    const page = await queues.text();
    expect(page).toContain('pause-note');
    expect(page).not.toContain('action="/pause"');
    const posted = await fetch(`${url}/pause`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfToken(token), kind: 'queue', name: 'default', confirm: 'yes' }),
    });
    expect(posted.status).toBe(403);
    expect(await posted.text()).toBe('Refused: this dashboard is read-only.');
  });

  it('without --read-only offers pause on the same page', async () => {
    const { url, token } = await start();
    const page = await (
      await fetch(`${url}/queues`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
    expect(page).toContain('action="/pause"');
  });

  it('serves the Performance page from the engine the CLI runs, a row per job type of the app', async () => {
    const { url, token } = await start('--read-only');
    const reply = await fetch(`${url}/performance?window=24h`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(reply.status).toBe(200);
    const page = await reply.text();
    expect(page).toMatch(
      /<tr data-job="pause-note"><td>pause-note<\/td><td>[^<]+<\/td><td class="num">0<\/td>/,
    );
    expect(page).toContain('aria-current="page">last 24 h</a>');
  });
});

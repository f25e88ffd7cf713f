import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hasCode } from '../errors.js';
import { printable } from '../ops/printable.js';
import type { Ops } from '../ops/types.js';
import { html } from './html.js';
import { layout } from './layout.js';
import { HttpError, type RouteContext } from './route-context.js';
import { getRoute, postRoute, render } from './routes.js';
import {
  csrfToken,
  hostAllowed,
  newToken,
  presentedToken,
  sameOrigin,
  sameSecret,
  securityHeaders,
  setTokenCookie,
} from './security.js';
import { STYLE } from './style.js';

export interface DashboardOptions {
  readonly ops: Ops;
  /** Anything but a loopback address exposes job data to the network. @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
  /** @default a new random token */
  readonly token?: string;
  /**
   * Shows everything and changes nothing: no retry, discard, run now, pause, resume or cancel is offered, and any such
   * request is refused with 403. @default false
   */
  readonly readOnly?: boolean;
  /** Runs after each action (local mode: works off what it enqueued). */
  readonly afterAction?: () => Promise<void>;
  /** The audit trail of every action (S36). @default stderr */
  readonly audit?: (line: string) => void;
}

export interface Dashboard {
  /** The address, without the token. */
  readonly url: string;
  readonly token: string;
  /** The address to open first: it carries the token once, then a cookie does. */
  readonly loginUrl: string;
  close(): Promise<void>;
}

const MAX_FORM_BYTES = 64 * 1024;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** The web dashboard: server-rendered pages over the ops API, closed by default (see security.ts). */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = options.token ?? newToken();
  const host = options.host ?? '127.0.0.1';
  // Audit lines carry ids from forms: made printable, so a crafted id cannot drive the operator's terminal.
  const audit =
    options.audit ?? ((line: string) => void process.stderr.write(`dashboard: ${printable(line)}\n`));
  const ctx: RouteContext = {
    ops: options.ops,
    csrf: csrfToken(token),
    readOnly: options.readOnly ?? false,
    afterAction: options.afterAction ?? (async () => undefined),
    audit,
  };
  let port = 0;
  const server: Server = createServer((request, response) => {
    handle(ctx, token, { loopbackOnly: LOOPBACK.has(host), port }, request, response).catch((error) =>
      fail(response, error),
    );
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    token,
    loginUrl: `${url}/?token=${encodeURIComponent(token)}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(
  ctx: RouteContext,
  token: string,
  bound: { readonly loopbackOnly: boolean; readonly port: number },
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  for (const [name, value] of Object.entries(securityHeaders())) response.setHeader(name, value);
  const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
  if (!hostAllowed(request, bound.loopbackOnly, bound.port)) return text(response, 403, 'Host not allowed.');
  const presented = presentedToken(request, url);
  if (!sameSecret(presented.token, token)) return unauthorized(response);
  if (presented.fromQuery) {
    // The token goes into an HttpOnly cookie and out of the address bar (and of history and referrers).
    setTokenCookie(response, token);
    url.searchParams.delete('token');
    return redirect(response, `${url.pathname}${url.search}`);
  }
  if (request.method === 'GET' && url.pathname === '/style.css') {
    response.writeHead(200, { 'content-type': 'text/css; charset=utf-8' });
    return void response.end(STYLE);
  }
  const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (request.method === 'GET') {
    const page = await getRoute(ctx, segments, url.searchParams);
    return page ? send(response, 200, render(page)) : notFound(response);
  }
  if (request.method !== 'POST') return text(response, 405, 'Method not allowed.');
  if (ctx.readOnly) return text(response, 403, 'Refused: this dashboard is read-only.');
  const form = await readForm(request);
  if (!sameOrigin(request) || !sameSecret(form.get('csrf') ?? undefined, ctx.csrf)) {
    return text(response, 403, 'Refused: this form did not come from this dashboard (CSRF check failed).');
  }
  const page = await postRoute(ctx, url.pathname, form);
  return page ? send(response, 200, render(page)) : notFound(response);
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) throw new HttpError(415, 'Forms only.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'Form too large.');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(body);
}

function text(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(body);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location: location || '/' });
  response.end();
}

function unauthorized(response: ServerResponse): void {
  // Nothing about the jobs, not even the page frame: only how to get in.
  text(
    response,
    401,
    'This dashboard needs the token printed when it started: open the address it printed (with ?token=...).',
  );
}

function notFound(response: ServerResponse, message = 'Not found.'): void {
  send(response, 404, layout('Not found', '', html`<p>${message}</p>`).value);
}

function fail(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (hasCode(error, 'WHARF_NOT_FOUND')) {
    notFound(response, message);
    return;
  }
  const status =
    error instanceof HttpError ? error.status : hasCode(error, 'WHARF_INVALID_OPTIONS') ? 400 : 500;
  send(
    response,
    status,
    layout('Something went wrong', '', html`<div class="notice bad"><pre>${message}</pre></div>`).value,
  );
}

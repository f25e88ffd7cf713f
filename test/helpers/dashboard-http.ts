import { request as httpRequest } from 'node:http';
import type { Dashboard } from '../../src/dashboard/server';

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** Raw HTTP to a dashboard, headers and all: what a browser sends, and what a forger could. */
export function dashboardHttp(dashboard: Dashboard) {
  const host = new URL(dashboard.url).host;
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<Reply>((resolve, reject) => {
      const url = new URL(path, dashboard.url);
      const req = httpRequest(url, { method, headers: { host, ...headers } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const cookie = () => ({ cookie: `wharf_token=${dashboard.token}` });
  /** The headers of a form our own page posts (same origin, by the browser's account). */
  const formHeaders = (extra: Record<string, string> = {}) => ({
    ...cookie(),
    'content-type': 'application/x-www-form-urlencoded',
    origin: `http://${host}`,
    'sec-fetch-site': 'same-origin',
    ...extra,
  });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  return {
    host,
    send,
    cookie,
    formHeaders,
    form,
    get: (path: string) => send('GET', path, cookie()),
    post: (path: string, fields: Record<string, string>, extra: Record<string, string> = {}) =>
      send('POST', path, formHeaders(extra), form(fields)),
  };
}

/** The text a page shows, tags dropped and whitespace folded, for assertions on what a person reads. */
export function textOf(body: string): string {
  return body
    .replace(/<\/?(?:strong|em|code|q|span|a|time|label)\b[^>]*>/g, '') // inline: no break in the text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

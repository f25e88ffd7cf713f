import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const TOKEN_COOKIE = 'wharf_token';

/**
 * No script may run and nothing may load from elsewhere: the pages are server-rendered HTML with one stylesheet
 * from this server. Forms may only post here, and no other site may frame the pages (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // Not 'no-referrer': with it, browsers send `Origin: null` on form posts, and the origin check needs it.
    // Nothing leaves for another site either way, and the token is never in an address after the first visit.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    // Job data must not linger in caches or the back-forward cache of a shared machine.
    'cache-control': 'no-store',
  };
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Compares digests, so neither the length nor the content of the token leaks through timing. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The CSRF token forms carry: derived from the session token, which another site can neither read nor guess. */
export function csrfToken(token: string): string {
  return createHmac('sha256', token).update('wharf-dashboard-csrf').digest('base64url');
}

/** Where the request's token comes from: `?token=` (first visit), the cookie, or an Authorization header. */
export function presentedToken(request: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return { token: fromQuery, fromQuery: true };
  const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (bearer) return { token: bearer, fromQuery: false };
  return { ...cookie(request, TOKEN_COOKIE), fromQuery: false };
}

function cookie(request: IncomingMessage, name: string): { token?: string } {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return { token: decodeURIComponent(rest.join('=')) };
  }
  return {};
}

/** HttpOnly (no script reads it), SameSite=Strict (no other site's request carries it), this path only. */
export function setTokenCookie(response: ServerResponse, token: string): void {
  response.setHeader(
    'set-cookie',
    `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
  );
}

/**
 * Requests must name this server: a page on another site that resolves its own name to 127.0.0.1 (DNS
 * rebinding) sends its own Host. Bound to a non-loopback address, the operator chose the names; any goes.
 */
export function hostAllowed(request: IncomingMessage, loopbackOnly: boolean, port: number): boolean {
  if (!loopbackOnly) return true;
  const host = (request.headers.host ?? '').toLowerCase();
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host);
}

/** A state-changing request must come from one of our own pages: same-origin by the browser's own account. */
export function sameOrigin(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === (request.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

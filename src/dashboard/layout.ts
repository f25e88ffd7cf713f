import { html, type SafeHtml } from './html.js';

const NAV = [
  ['/', 'Overview'],
  ['/queues', 'Queues'],
  ['/jobs', 'Jobs'],
  ['/batches', 'Batches'],
  ['/dead-letters', 'Dead letters'],
  ['/schedules', 'Schedules'],
  ['/performance', 'Performance'],
] as const;

/** The page frame: navigation, title, content. No script anywhere (the CSP forbids it). */
export function layout(title: string, active: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · wharf</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><strong>wharf</strong><nav>${NAV.map(
    ([href, label]) => html`<a href="${href}"${active === href ? html` class="active"` : ''}>${label}</a>`,
  )}</nav></header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="status status-${status.replace(/[^a-z-]/g, '')}">${status}</span>`;
}

export function when(ms: number | undefined): SafeHtml | string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
}

export function json(value: unknown): SafeHtml {
  return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
}

import { errorWithStack } from '../../ops/error-text.js';
import type { DeadLetterView } from '../../ops/types.js';
import { html, path, type SafeHtml } from '../html.js';
import { csrfField, json, statusBadge, when } from '../layout.js';

const KIND: Record<DeadLetterView['kind'], string> = {
  'dead-letter': 'written by wharf with its story',
  'max-receives':
    'moved by SQS after maxReceiveCount receives: no worker recorded an outcome (see the error)',
  poison: 'not a usable envelope: the raw body is kept as evidence',
};

/**
 * One dead letter: its story, error with stack, payload (redacted) or raw body, attributes, and actions (none
 * without a CSRF token: read-only).
 */
export function deadLetterPage(d: DeadLetterView, csrf: string | undefined): SafeHtml {
  return html`${
    csrf
      ? html`<div class="actions"><form method="post" action="/dead-letters/confirm">${csrfField(csrf)}
<input type="hidden" name="queue" value="${d.queue}"><input type="hidden" name="id" value="${d.messageId}">
<button type="submit" name="intent" value="retry-selected" class="primary">Retry</button>
<button type="submit" name="intent" value="discard-selected" class="danger">Discard</button></form></div>`
      : ''
  }
<dl>
<dt>Message id</dt><dd><code>${d.messageId}</code></dd><dt>Queue</dt><dd>${d.queue}</dd>
<dt>Kind</dt><dd>${statusBadge(d.kind === 'dead-letter' ? 'dead' : d.kind)} ${KIND[d.kind]}</dd>
<dt>Reason</dt><dd><code>${d.reason}</code></dd>
<dt>Job</dt><dd>${d.jobName ?? html`<span class="muted">unknown</span>`}</dd>
<dt>Job id</dt><dd>${d.jobId ? html`<a href="${path('jobs', d.jobId)}">${d.jobId}</a>` : ''}</dd>
<dt>Attempts</dt><dd>${d.attempts ?? ''}</dd>
<dt>First failed</dt><dd>${when(d.firstFailedAtMs)}</dd><dt>Failed</dt><dd>${when(d.failedAtMs)}</dd>
<dt>Created</dt><dd>${when(d.createdAtMs)}</dd>
</dl>
${d.error ? html`<h2>Error</h2><pre>${errorWithStack(d.error)}</pre>` : ''}
${
  d.failures.length > 0
    ? html`<h2>Earlier failures</h2><table><thead><tr><th>Attempt</th><th>When</th><th>Error</th></tr></thead><tbody>${d.failures.map(
        (f) =>
          html`<tr><td class="num">${f.attempt}</td><td>${when(f.atMs)}</td><td>${f.error.name}: ${f.error.message}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${d.payload !== undefined ? html`<h2>Payload</h2>${json(d.payload)}` : ''}
${d.rawBody !== undefined ? html`<h2>Raw body</h2><pre>${d.rawBody}</pre>` : ''}
<h2>Message attributes</h2>
<table><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${Object.entries(d.attributes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => html`<tr><td><code>${k}</code></td><td>${v}</td></tr>`)}</tbody></table>`;
}

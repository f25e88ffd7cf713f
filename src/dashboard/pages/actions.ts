import type { BulkReport } from '../../ops/types.js';
import { html, path, query, type SafeHtml } from '../html.js';
import { csrfField } from '../layout.js';

export interface DeadLetterIntent {
  readonly action: 'retry' | 'discard';
  readonly all: boolean;
  readonly ids: readonly string[];
  readonly queue?: string;
}

/** Every retry and discard is confirmed on a page of its own, saying exactly what will happen. */
export function confirmPage(intent: DeadLetterIntent, csrf: string): SafeHtml {
  const scope = intent.queue ? html`of queue <strong>${intent.queue}</strong>` : 'of every queue';
  const what = intent.all
    ? html`<strong>every</strong> dead letter ${scope}`
    : html`${intent.ids.length} dead letter${intent.ids.length === 1 ? '' : 's'}`;
  const effect =
    intent.action === 'retry'
      ? 'They go back to their queue unchanged and run again as attempt 1 under the same job id; a job that ' +
        'already completed (exactly-once) is not run twice. A dead letter whose payload its job no longer accepts ' +
        'stays where it is.'
      : 'They are deleted for good; their job records stay as they are.';
  return html`<div class="notice ${intent.action === 'discard' ? 'bad' : ''}">
<p>${intent.action === 'retry' ? 'Retry' : 'Discard'} ${what}?</p><p class="muted">${effect}</p>
${intent.all ? '' : html`<ul>${intent.ids.map((id) => html`<li><code>${id}</code></li>`)}</ul>`}</div>
<form method="post" action="/dead-letters/act">${csrfField(csrf)}
<input type="hidden" name="action" value="${intent.action}">
${intent.all ? html`<input type="hidden" name="all" value="yes">` : intent.ids.map((id) => html`<input type="hidden" name="id" value="${id}">`)}
${intent.queue ? html`<input type="hidden" name="queue" value="${intent.queue}">` : ''}
<div class="actions"><button type="submit" name="confirm" value="yes" class="${intent.action === 'retry' ? 'primary' : 'danger'}">Yes, ${intent.action} ${intent.all ? 'all' : intent.ids.length}</button>
<a href="/dead-letters${query({ queue: intent.queue })}">Cancel</a></div></form>`;
}

export function reportPage(report: BulkReport): SafeHtml {
  const verb = report.action === 'retry' ? 'Retried' : 'Discarded';
  return html`<div class="notice ${report.failed.length > 0 ? 'bad' : ''}">
${
  report.method === 'move-task'
    ? report.moveTasks.map(
        (t) =>
          html`<p>Move task on ${t.queue}: ${t.status.toLowerCase()}, ${t.moved}${t.toMove !== undefined ? ` of ${t.toMove}` : ''} moved.</p>`,
      )
    : html`<p>${verb} ${report.succeeded.length} dead letter${report.succeeded.length === 1 ? '' : 's'}.</p>`
}
${report.fallback ? html`<p class="muted">${report.fallback}</p>` : ''}</div>
${
  report.succeeded.length > 0
    ? html`<ul>${report.succeeded.map(
        (i) =>
          html`<li>${i.jobId ? html`<a href="${path('jobs', i.jobId)}">${i.jobId}</a>` : i.messageId}${i.note ? html` <span class="muted">(${i.note})</span>` : ''}</li>`,
      )}</ul>`
    : ''
}
${
  report.failed.length > 0
    ? html`<h2>Not done</h2><ul>${report.failed.map(
        (f) =>
          html`<li><code>${f.messageId ?? f.queue ?? ''}</code> ${f.jobId ?? ''} [${f.code}] ${f.message}</li>`,
      )}</ul>`
    : ''
}
${report.notFound.length > 0 ? html`<h2>Not found</h2><ul>${report.notFound.map((r) => html`<li><code>${r}</code></li>`)}</ul>` : ''}
<p><a href="/dead-letters">Back to dead letters</a></p>`;
}

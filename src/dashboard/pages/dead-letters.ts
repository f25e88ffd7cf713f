import type { DeadLetterList } from '../../ops/types.js';
import { html, path, query, type SafeHtml } from '../html.js';
import { csrfField, statusBadge, when } from '../layout.js';

/**
 * Dead letters with retry and discard for the ones ticked, or for all; each button leads to a confirmation page
 * first. The list is read without consuming anything (see ops). Without a CSRF token (read-only), no actions.
 */
export function deadLettersPage(
  list: DeadLetterList,
  queue: string | undefined,
  queues: readonly string[],
  csrf: string | undefined,
): SafeHtml {
  const running = list.moveTasks.filter((t) => t.status === 'RUNNING');
  return html`<form class="filters" method="get" action="/dead-letters"><label>Queue<select name="queue">
<option value="">every queue</option>${queues.map(
    (q) => html`<option value="${q}"${q === queue ? html` selected` : ''}>${q}</option>`,
  )}</select></label><button type="submit">Show</button></form>
${running.map(
  (t) =>
    html`<div class="notice">A move task is sending the dead letters of ${t.queue} back: ${t.moved}${t.toMove !== undefined ? ` of ${t.toMove}` : ''} moved.</div>`,
)}
${list.items.length === 0 ? html`<p class="muted">No dead letters.</p>` : table(list, queue, csrf)}`;
}

function table(list: DeadLetterList, queue: string | undefined, csrf: string | undefined): SafeHtml {
  const more = list.truncated
    ? html`<p class="muted">Showing the first ${list.items.length}${csrf ? '; “all” acts on every dead letter, shown or not' : ''}.</p>`
    : '';
  const rows = list.items.map(
    (
      d,
    ) => html`<tr>${csrf ? html`<td><input type="checkbox" name="id" value="${d.messageId}" aria-label="select ${d.messageId}"></td>` : ''}
<td><a href="${path('dead-letters', d.queue, d.messageId)}">${when(d.failedAtMs)}</a></td><td>${d.queue}</td>
<td>${d.jobName ?? html`<span class="muted">unknown</span>`}</td>
<td>${d.jobId ? html`<a href="${path('jobs', d.jobId)}">${d.jobId}</a>` : ''}</td>
<td>${statusBadge(d.kind === 'dead-letter' ? 'dead' : d.kind)} ${d.reason}</td><td class="num">${d.attempts ?? ''}</td>
<td>${d.error ? `${d.error.name}: ${d.error.message}` : ''}</td></tr>`,
  );
  const refresh = html`<p class="muted"><a href="/dead-letters${query({ queue })}">Refresh</a></p>`;
  const head = html`<tr>${csrf ? html`<th></th>` : ''}<th>Failed</th><th>Queue</th><th>Job</th><th>Job id</th><th>Reason</th><th>Attempts</th><th>Error</th></tr>`;
  if (!csrf) return html`<table><thead>${head}</thead><tbody>${rows}</tbody></table>${more}${refresh}`;
  return html`<form method="post" action="/dead-letters/confirm">${csrfField(csrf)}
${queue ? html`<input type="hidden" name="queue" value="${queue}">` : ''}
<div class="actions">
<button type="submit" name="intent" value="retry-selected">Retry selected</button>
<button type="submit" name="intent" value="discard-selected">Discard selected</button>
<button type="submit" name="intent" value="retry-all" class="primary">Retry all</button>
<button type="submit" name="intent" value="discard-all" class="danger">Discard all</button>
</div>
<table><thead>${head}</thead><tbody>${rows}</tbody></table></form>${more}
${refresh}`;
}

import {
  batchCallbacksText,
  batchCountsText,
  batchProgressText,
  batchStateText,
} from '../../ops/batch-text.js';
import type { BatchCallbackState, BatchPage, BatchView } from '../../ops/batch-view.js';
import { BATCH_OUTCOMES } from '../../store/batch-types.js';
import { html, path, query, type SafeHtml } from '../html.js';
import { statusBadge, when } from '../layout.js';

/**
 * Recent batches, newest first, each with a progress bar (children ended of the total) and its outcomes; without a
 * job table (`undefined`) there are none to read.
 */
export function batchesPage(page: BatchPage | undefined): SafeHtml {
  if (page === undefined)
    return html`<p class="muted">No job table is configured, so there are no batch records to show.</p>`;
  const next = page.cursor
    ? html`<p><a href="/batches${query({ cursor: page.cursor })}">Next page →</a></p>`
    : '';
  if (page.batches.length === 0) return html`<p class="muted">No batches.</p>${next}`;
  return html`<table><thead><tr><th>Created</th><th>Batch</th><th>State</th><th>Progress</th><th>Outcomes</th><th>Callbacks</th><th>Description</th></tr></thead>
<tbody>${page.batches.map(
    (
      b,
    ) => html`<tr><td>${when(b.createdAtMs)}</td><td><a href="${path('batches', b.batchId)}">${b.batchId}</a></td>
<td>${statusBadge(batchStateText(b))}</td><td>${progressBar(b)} ${b.ended}/${b.total}</td>
<td>${batchCountsText(b)}</td><td>${batchCallbacksText(b)}</td><td>${b.description ?? ''}</td></tr>`,
  )}</tbody></table>
${next}`;
}

/** One batch: its progress line, counts per outcome, and each callback with where it stands (a link once sent). */
export function batchPage(b: BatchView): SafeHtml {
  return html`<p class="batch-progress">${progressBar(b)} ${batchProgressText(b)}</p>
<dl>
<dt>Batch id</dt><dd><code>${b.batchId}</code></dd>
${b.description !== undefined ? html`<dt>Description</dt><dd>${b.description}</dd>` : ''}
<dt>State</dt><dd>${statusBadge(batchStateText(b))}</dd>
<dt>Created</dt><dd>${when(b.createdAtMs)}</dd><dt>Finished</dt><dd>${when(b.finishedAtMs)}</dd>
<dt>Callbacks sent</dt><dd>${when(b.callbacksSentAtMs)}</dd><dt>Forgotten</dt><dd>${when(b.expiresAtMs)}</dd>
</dl>
<h2>Children</h2>
<table><thead><tr><th>Outcome</th><th>Children</th></tr></thead><tbody>${BATCH_OUTCOMES.map(
    (o) => html`<tr><td>${statusBadge(o)}</td><td class="num">${b.counts[o]}</td></tr>`,
  )}<tr><td>pending</td><td class="num">${b.pending}</td></tr></tbody></table>
<h2>Callbacks</h2>
${
  b.callbacks.length === 0
    ? html`<p class="muted">No callbacks.</p>`
    : html`<table><thead><tr><th>Callback</th><th>Job</th><th>Job id</th><th>State</th></tr></thead><tbody>${b.callbacks.map(
        (c) => html`<tr><td>${c.kind}</td><td>${c.jobName}</td>
<td>${c.state === 'sent' ? html`<a href="${path('jobs', c.jobId)}">${c.jobId}</a>` : c.jobId}</td><td>${CALLBACK_STATE[c.state]}</td></tr>`,
      )}</tbody></table>`
}`;
}

const CALLBACK_STATE: Readonly<Record<BatchCallbackState, string>> = {
  waiting: 'waits for the batch to end',
  sending: 'due: not yet confirmed sent',
  sent: 'sent',
  'will-not-run': 'will not run',
};

/** A <progress> (no script, no inline style: the CSP allows neither); an empty batch shows as complete. */
function progressBar(b: BatchView): SafeHtml {
  const max = Math.max(b.total, 1);
  const value = b.total === 0 ? 1 : b.ended;
  return html`<progress max="${max}" value="${value}" aria-label="${b.ended} of ${b.total} ended"></progress>`;
}

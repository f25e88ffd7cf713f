import { jobNote } from '../../ops/cancel-text.js';
import type { QueueOverview } from '../../ops/types.js';
import type { JobRecord } from '../../store/types.js';
import { html, path, query, type SafeHtml } from '../html.js';
import { statusBadge, when } from '../layout.js';

/** Queues at a glance, and what happened last. */
export function overviewPage(
  queues: readonly QueueOverview[],
  recent: readonly JobRecord[] | undefined,
): SafeHtml {
  const sum = (pick: (q: QueueOverview) => number) => queues.reduce((n, q) => n + pick(q), 0);
  const cards: [string, number][] = [
    ['visible', sum((q) => q.visible)],
    ['in flight', sum((q) => q.inFlight)],
    ['delayed', sum((q) => q.delayed)],
    ['dead letters', sum((q) => q.deadLetters)],
  ];
  return html`<div class="cards">${cards.map(
    ([label, n]) => html`<div class="card"><div class="n">${n}</div><div class="muted">${label}</div></div>`,
  )}</div>
<h2>Queues</h2>
<table><thead><tr><th>Queue</th><th>Visible</th><th>In flight</th><th>Delayed</th><th>Dead letters</th><th>Oldest</th><th>Jobs</th></tr></thead>
<tbody>${queues.map(
    (
      q,
    ) => html`<tr><td>${q.queue}${q.paused ? html` <a href="/queues" class="status status-paused">paused</a>` : ''}</td><td class="num">${q.visible}</td><td class="num">${q.inFlight}</td>
<td class="num">${q.delayed}</td><td class="num"><a href="/dead-letters${query({ queue: q.queue })}">${q.deadLetters}</a></td>
<td>${q.oldestAgeMs === undefined ? '–' : `${Math.round(q.oldestAgeMs / 1000)} s`}</td><td>${q.jobs.join(', ')}</td></tr>`,
  )}</tbody></table>
<h2>Recent outcomes</h2>
${recent === undefined ? html`<p class="muted">No job table is configured, so there are no job records to show.</p>` : recentTable(recent)}`;
}

function recentTable(records: readonly JobRecord[]): SafeHtml {
  if (records.length === 0) return html`<p class="muted">No jobs yet.</p>`;
  return jobTable(records);
}

export function jobTable(records: readonly JobRecord[]): SafeHtml {
  return html`<table><thead><tr><th>Updated</th><th>Status</th><th>Job</th><th>Job id</th><th>Attempt</th><th>Note</th></tr></thead>
<tbody>${records.map(
    (r) => html`<tr><td>${when(r.updatedAtMs)}</td><td>${statusBadge(r.status)}</td><td>${r.jobName}</td>
<td><a href="${path('jobs', r.jobId)}">${r.jobId}</a></td><td class="num">${r.attempt}</td>
<td>${jobNote(r)}</td></tr>`,
  )}</tbody></table>`;
}

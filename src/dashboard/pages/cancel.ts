import type { CancelResult } from '../../client/types.js';
import { canCancel, cancelText, isNameUnknown } from '../../ops/cancel-text.js';
import type { JobRecord } from '../../store/types.js';
import { html, path, type SafeHtml } from '../html.js';
import { csrfField, statusBadge } from '../layout.js';

/** The button that leads to the confirmation page: a GET, since showing what would happen changes nothing. */
export function cancelButton(jobId: string): SafeHtml {
  return html`<form method="get" action="/cancel"><input type="hidden" name="job" value="${jobId}">
<button type="submit" class="danger" aria-label="cancel job ${jobId}">Cancel job</button></form>`;
}

/** For a job the table has no record of yet (on its queue, or waiting in a schedule): cancel it by its id. */
export function cancelByIdForm(): SafeHtml {
  return html`<form class="filters" method="get" action="/cancel"><label>Cancel a job by id
<input type="text" name="job" size="40" required></label><button type="submit">Cancel…</button></form>`;
}

/** What a cancel of a job in this state does, said before the operator confirms it. */
function effect(record: JobRecord | undefined): string {
  if (!record) {
    return (
      'No run of it has been recorded. If it waits in a schedule, the schedule is deleted. If it is on its queue, ' +
      'a cancellation is recorded that its claim honours: its message is acknowledged without running. An id no ' +
      'job has is recorded as cancelled all the same (nothing can tell the two apart).'
    );
  }
  if (record.status === 'running') {
    return (
      'It is running. It is marked: its ctx.signal aborts at its next heartbeat in a worker process (on Lambda ' +
      'the run goes on to its end), and no retry of it starts.'
    );
  }
  return (
    'It has not started (again). A cancellation is recorded that its claim honours: its message is acknowledged ' +
    'without running, it is recorded cancelled, and no retry of it starts.'
  );
}

/**
 * Every cancel is confirmed on a page of its own, saying what will happen to the job in the state it is in. A job
 * that has ended is shown as such, with nothing to confirm.
 */
export function confirmCancelPage(jobId: string, record: JobRecord | undefined, csrf: string): SafeHtml {
  const state = record
    ? html`<p>It is ${statusBadge(record.status)}${isNameUnknown(record) ? '' : html` (${record.jobName} on ${record.queue})`}.</p>`
    : '';
  if (!canCancel(record)) {
    return html`<div class="notice"><p>Job <code>${jobId}</code> has already ended: there is nothing to cancel.</p>${state}</div>
<p><a href="${path('jobs', jobId)}">Back to the job</a></p>`;
  }
  return html`<div class="notice bad"><p>Cancel job <code>${jobId}</code>?</p>${state}<p class="muted">${effect(record)}</p>
<p class="muted">This cannot be undone: a cancelled job never runs under this id.</p></div>
<form method="post" action="/cancel">${csrfField(csrf)}<input type="hidden" name="job" value="${jobId}">
<div class="actions"><button type="submit" name="confirm" value="yes" class="danger">Yes, cancel job ${jobId}</button>
<a href="${record ? path('jobs', jobId) : '/jobs'}">Back</a></div></form>`;
}

/** What the cancel did: cancelled (where), signalled, or not cancelled and why. */
export function cancelResultPage(result: CancelResult): SafeHtml {
  const { headline, details } = cancelText(result);
  const refused = result.outcome === 'not-cancelled';
  return html`<div class="notice${refused ? ' bad' : ''}"><p class="outcome outcome-${result.outcome}">${headline}.</p>${details.map(
    (d) => html`<p class="muted">${d}</p>`,
  )}</div>
<p>${
    // A deleted schedule leaves no record behind: the job's page would only say it is not found.
    result.outcome === 'cancelled' && result.where === 'schedule'
      ? ''
      : html`<a href="${path('jobs', result.jobId)}">The job</a> · `
  }<a href="/jobs">Jobs</a></p>`;
}

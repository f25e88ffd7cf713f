import type { FailureRecord } from '../../envelope/envelope.js';
import { canCancel, cancelRequestedText, isNameUnknown } from '../../ops/cancel-text.js';
import { deferralText } from '../../ops/deferral-text.js';
import { errorWithStack } from '../../ops/error-text.js';
import type { JobDetail } from '../../ops/types.js';
import type { DeferralNote, JobRecord } from '../../store/types.js';
import { html, path, type SafeHtml } from '../html.js';
import { json, statusBadge, when } from '../layout.js';
import { cancelButton } from './cancel.js';

/**
 * One job: its state, why it waits when a limit, throttle or pause put it off, why it ended without running
 * (expired, cancelled), a cancel asked of it while it ran, progress, payload (redacted), attempts and their
 * errors with stacks, dead letters. A job that is waiting or running offers Cancel (`canAct`: not read-only).
 */
export function jobPage(jobId: string, detail: JobDetail, nowMs: number, canAct = false): SafeHtml {
  const r = detail.record;
  const progress = r?.progress;
  return html`${canAct && r && canCancel(r) ? html`<div class="actions">${cancelButton(jobId)}</div>` : ''}<dl>
<dt>Job id</dt><dd><code>${jobId}</code></dd>
${
  r
    ? html`${identity(r)}
<dt>Status</dt><dd>${statusBadge(r.status)}</dd>${r.skippedReason ? html`<dt>Why</dt><dd class="skipped">${r.skippedReason}</dd>` : ''}${
        r.cancelRequestedAtMs !== undefined ? cancelRequested(r) : ''
      }${r.deferred ? waiting(r.deferred, nowMs) : ''}<dt>Attempt</dt><dd>${r.attempt}</dd>
<dt>Created</dt><dd>${when(r.createdAtMs)}</dd><dt>Started</dt><dd>${when(r.startedAtMs)}</dd>
<dt>Finished</dt><dd>${when(r.finishedAtMs)}</dd><dt>Updated</dt><dd>${when(r.updatedAtMs)}</dd>`
    : html`<dt>Record</dt><dd class="muted">none in the job table</dd>`
}
${
  progress
    ? html`<dt>Progress</dt><dd><progress max="${progress.total ?? progress.done}" value="${progress.done}"></progress>
${progress.done}${progress.total !== undefined ? ` / ${progress.total}` : ''} ${progress.message ?? ''}</dd>`
    : ''
}
</dl>
<h2>Payload</h2>
${detail.payload === undefined ? html`<p class="muted">Not kept on the record (larger than 4 KiB, or no record).</p>` : json(detail.payload)}
${r?.steps && Object.keys(r.steps).length > 0 ? steps(r.steps) : ''}
${r?.result !== undefined ? html`<h2>Result</h2>${json(r.result)}` : ''}
${r?.lastError ? html`<h2>Last error</h2><pre>${errorWithStack(r.lastError)}</pre>` : ''}
${r?.failures?.length ? attempts(r.failures) : ''}
${deadLetters(detail)}`;
}

/** Name and queue, or what a cancellation recorded before any run of the job can say of them: nothing yet. */
function identity(r: JobRecord): SafeHtml {
  if (isNameUnknown(r))
    return html`<dt>Job</dt><dd class="muted">not known yet: cancelled before any run of it was claimed</dd>`;
  return html`<dt>Job</dt><dd>${r.jobName}</dd><dt>Queue</dt><dd>${r.queue}</dd>`;
}

/** When a cancel was asked for; for a job still running, what that does to its run. */
function cancelRequested(r: JobRecord): SafeHtml {
  const meaning = cancelRequestedText(r);
  return html`<dt>Cancel requested</dt><dd class="cancel-requested">${when(r.cancelRequestedAtMs)}${meaning ? `: ${meaning}` : ''}</dd>`;
}

/** The record's note of why the job waits; a pause links to where it is resumed. */
function waiting(note: DeferralNote, nowMs: number): SafeHtml {
  return html`<dt>Waiting</dt><dd class="deferred">${deferralText(note, nowMs)}${
    note.why === 'paused' ? html` (<a href="/queues">see what is paused</a>)` : ''
  }</dd>`;
}

/** The durable steps done, in the order they completed; a sleep says until when it slept. */
function steps(done: NonNullable<JobRecord['steps']>): SafeHtml {
  const rows = Object.entries(done).sort((a, b) => a[1].atMs - b[1].atMs);
  return html`<h2>Steps done</h2>
<table class="steps"><thead><tr><th>Step</th><th>When</th><th>Result</th></tr></thead><tbody>${rows.map(
    ([name, step]) =>
      name.startsWith('~sleep:')
        ? html`<tr><td>sleep ${name.slice('~sleep:'.length)}</td><td>${when(step.atMs)}</td><td>until ${when(step.wakeAtMs)}</td></tr>`
        : html`<tr><td>${name}</td><td>${when(step.atMs)}</td><td>${step.result === undefined ? '' : json(step.result)}</td></tr>`,
  )}</tbody></table>`;
}

function attempts(failures: readonly FailureRecord[]): SafeHtml {
  return html`<h2>Failed attempts</h2>
<table><thead><tr><th>Attempt</th><th>When</th><th>Error</th></tr></thead><tbody>${failures.map(
    (
      f,
    ) => html`<tr><td class="num">${f.attempt}</td><td>${when(f.atMs)}</td><td>${f.error.name}${f.error.code ? ` [${f.error.code}]` : ''}: ${f.error.message}
${f.error.stack ? html`<details><summary>stack</summary><pre>${f.error.stack}</pre></details>` : ''}</td></tr>`,
  )}</tbody></table>`;
}

function deadLetters(detail: JobDetail): SafeHtml | string {
  if (detail.deadLetters.length === 0) return '';
  return html`<h2>Dead letters</h2><ul>${detail.deadLetters.map(
    (d) =>
      html`<li><a href="${path('dead-letters', d.queue, d.messageId)}">${d.messageId}</a> on ${d.queue} (${d.reason})</li>`,
  )}</ul>`;
}

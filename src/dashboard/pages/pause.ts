import type { Pausable, PauseReport, PauseView } from '../../ops/types.js';
import { html, query, type SafeHtml } from '../html.js';
import { csrfField, when } from '../layout.js';

export type PauseAction = 'pause' | 'resume';

/** What each pause and resume does, said on the confirmation page before anything changes. */
const EFFECT: Readonly<Record<Pausable['kind'], Readonly<Record<PauseAction, string>>>> = {
  queue: {
    pause:
      'Nothing is taken from it: worker processes stop receiving from it and, on AWS, its Lambda event source ' +
      'mappings are switched off. Its messages wait in the queue (their retention keeps running) and no attempt ' +
      'is used.',
    resume:
      'Worker processes receive from it again and, on AWS, its Lambda event source mappings are switched back on.',
  },
  job: {
    pause:
      'Its jobs are put off when they are claimed: sent back with a delay, without running and without using an ' +
      'attempt, until it is resumed. Their records say so.',
    resume: 'Its jobs run again as their messages come back.',
  },
  schedule: {
    pause:
      'The recurring schedule does not fire until it is resumed (EventBridge Scheduler State DISABLED); runs ' +
      'missed meanwhile do not happen. A deploy that changes this schedule enables it again.',
    resume: 'The recurring schedule fires again from its next time.',
  },
};

/** Where each kind is listed, so every pause page leads back to it. */
export function homeOf(kind: Pausable['kind']): string {
  return kind === 'schedule' ? '/schedules' : '/queues';
}

/** The button that leads to the confirmation page: a GET, since showing what would happen changes nothing. */
export function pauseButton(target: Pausable, paused: boolean): SafeHtml {
  const action: PauseAction = paused ? 'resume' : 'pause';
  return html`<form method="get" action="/${action}"><input type="hidden" name="kind" value="${target.kind}">
<input type="hidden" name="name" value="${target.name}"><button type="submit" aria-label="${action} ${target.kind} ${target.name}">${paused ? 'Resume' : 'Pause'}</button></form>`;
}

/** "paused since ..., reason", or "running" / "enabled" when not paused. */
export function pauseState(pause: PauseView | undefined, running = 'running'): SafeHtml {
  if (!pause) return html`<span class="muted">${running}</span>`;
  return html`<span class="status status-paused">paused</span> <span class="paused-since">since ${
    pause.sinceMs === undefined ? 'an unknown time' : when(pause.sinceMs)
  }${pause.reason ? html`, <q>${pause.reason}</q>` : ''}</span>`;
}

/**
 * Every pause and resume is confirmed on a page of its own, saying what will happen. A queue or job type pause
 * takes an optional reason; a schedule's cannot (Scheduler keeps none).
 */
export function confirmPausePage(
  action: PauseAction,
  target: Pausable,
  current: PauseView | undefined,
  csrf: string,
): SafeHtml {
  const verb = action === 'pause' ? 'Pause' : 'Resume';
  const already =
    action === 'pause' && current
      ? html`<p>It is already ${pauseState(current)}: pausing it again changes nothing.</p>`
      : action === 'resume' && !current
        ? html`<p>It is not paused: resuming it changes nothing.</p>`
        : '';
  const reason =
    action === 'pause' && target.kind !== 'schedule'
      ? html`<p><label>Reason (optional, shown beside the pause)<br>
<input type="text" name="reason" maxlength="500" size="60"></label></p>`
      : '';
  return html`<div class="notice ${action === 'pause' ? 'bad' : ''}">
<p>${verb} ${target.kind} <strong>${target.name}</strong>?</p><p class="muted">${EFFECT[target.kind][action]}</p>${already}</div>
<form method="post" action="/${action}">${csrfField(csrf)}
<input type="hidden" name="kind" value="${target.kind}"><input type="hidden" name="name" value="${target.name}">
${reason}
<div class="actions"><button type="submit" name="confirm" value="yes" class="${action === 'pause' ? 'danger' : 'primary'}">Yes, ${action} ${target.kind} ${target.name}</button>
<a href="${homeOf(target.kind)}">Cancel</a></div></form>`;
}

/** What the pause or resume did: whether anything changed, the pause as it stands, mappings switched, notes. */
export function pauseReportPage(report: PauseReport): SafeHtml {
  const { kind, name } = report.target;
  const done = report.action === 'pause' ? 'Paused' : 'Resumed';
  const mappings = report.eventSourceMappings ?? [];
  return html`<div class="notice"><p>${
    report.changed
      ? html`${done} ${kind} <strong>${name}</strong>.`
      : html`No change: ${kind} <strong>${name}</strong> was ${report.action === 'pause' ? 'already paused' : 'not paused'}.`
  }</p>${report.pause ? html`<p>${pauseState(report.pause)}</p>` : ''}</div>
${
  mappings.length > 0
    ? html`<h2>Lambda event source mappings</h2><table><thead><tr><th>Mapping</th><th>Function</th><th>State</th></tr></thead>
<tbody>${mappings.map(
        (m) =>
          html`<tr><td><code>${m.uuid}</code></td><td>${m.functionArn}</td><td>${m.state}${m.changed ? '' : ' (unchanged)'}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${report.notes.length > 0 ? html`<ul>${report.notes.map((n) => html`<li class="muted">${n}</li>`)}</ul>` : ''}
<p><a href="${homeOf(kind)}">Back to ${kind === 'schedule' ? 'schedules' : 'queues'}</a>${
    kind === 'queue' ? html` · <a href="/jobs${query({ queue: name })}">its jobs</a>` : ''
  }</p>`;
}

import type { ScheduleList } from '../../ops/schedule-source.js';
import { html, type SafeHtml } from '../html.js';
import { csrfField, when } from '../layout.js';
import { pauseButton, pauseState } from './pause.js';

/**
 * Recurring schedules with their next runs, "run now", pause and resume (each confirmed first, like every action;
 * none without a CSRF token: read-only). A one-time schedule is a job waiting for its time: cancelled, not paused.
 */
export function schedulesPage(list: ScheduleList, csrf: string | undefined): SafeHtml {
  if (!list.available) return html`<p class="muted">No schedules: no schedule source is configured.</p>`;
  if (list.items.length === 0) return html`<p class="muted">No schedules.</p>`;
  return html`<table><thead><tr><th>Name</th><th>Kind</th><th>Job</th><th>Expression</th><th>Time zone</th><th>Next runs</th><th>State</th><th></th></tr></thead>
<tbody>${list.items.map((s) => {
    const recurring = s.kind !== 'one-time';
    const pause = s.enabled
      ? undefined
      : {
          kind: 'schedule' as const,
          name: s.name,
          ...(s.pausedSinceMs !== undefined ? { sinceMs: s.pausedSinceMs } : {}),
        };
    return html`<tr><td>${s.name}</td><td>${s.kind ?? ''}</td><td>${s.job}</td><td><code>${s.expression}</code></td>
<td>${s.timezone ?? 'UTC'}</td><td>${s.nextRunsMs.map((ms) => html`<div>${when(ms)}</div>`)}</td><td>${recurring ? pauseState(pause, 'enabled') : s.enabled ? 'enabled' : 'disabled'}</td>
<td>${
      csrf && recurring
        ? html`<div class="actions"><form method="post" action="/schedules/confirm">${csrfField(csrf)}
<input type="hidden" name="name" value="${s.name}"><button type="submit">Run now</button></form>
${pauseButton({ kind: 'schedule', name: s.name }, pause !== undefined)}</div>`
        : ''
    }</td></tr>`;
  })}</tbody></table>`;
}

export function confirmRunNowPage(name: string, csrf: string): SafeHtml {
  return html`<div class="notice"><p>Run <strong>${name}</strong> now, as if its schedule had fired?</p>
<p class="muted">It runs under a job id of its own, so it neither counts as nor blocks a scheduled run.</p></div>
<form method="post" action="/schedules/run">${csrfField(csrf)}<input type="hidden" name="name" value="${name}">
<div class="actions"><button type="submit" name="confirm" value="yes" class="primary">Yes, run it now</button>
<a href="/schedules">Cancel</a></div></form>`;
}

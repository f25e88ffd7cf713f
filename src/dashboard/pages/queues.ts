import type { PauseView, QueueOverview } from '../../ops/types.js';
import { html, query, type SafeHtml } from '../html.js';
import { homeOf, pauseButton, pauseState } from './pause.js';

export interface QueuesPageInput {
  readonly queues: readonly QueueOverview[];
  /** Every pause (queues, job types, schedules), or why it could not be read. */
  readonly pauses: readonly PauseView[] | { readonly error: string };
  /** Whether pause and resume may be offered: not read-only. */
  readonly canAct: boolean;
  /** Queues and job types are paused in the job table: without one, they cannot be. */
  readonly hasStore: boolean;
}

/** What is paused, the queues and the job types, each with pause or resume (confirmed first, like every action). */
export function queuesPage(input: QueuesPageInput): SafeHtml {
  const pauses = 'error' in input.pauses ? [] : input.pauses;
  const pauseOf = (kind: PauseView['kind'], name: string) =>
    pauses.find((p) => p.kind === kind && p.name === name);
  const act = input.canAct && input.hasStore;
  const jobTypes = input.queues.flatMap((q) =>
    q.jobs.map((job) => ({ job, queue: q.queue, limits: q.limits?.[job] ?? '' })),
  );
  return html`<h2>Paused</h2>
${pausedList(input.pauses, input.canAct)}
<h2>Queues</h2>
<table><thead><tr><th>Queue</th><th>Visible</th><th>In flight</th><th>Delayed</th><th>Dead letters</th><th>State</th>${act ? html`<th></th>` : ''}</tr></thead>
<tbody>${input.queues.map((q) => {
    const pause = pauseOf('queue', q.queue) ?? q.paused;
    return html`<tr><td><a href="/jobs${query({ queue: q.queue })}">${q.queue}</a></td><td class="num">${q.visible}</td>
<td class="num">${q.inFlight}</td><td class="num">${q.delayed}</td>
<td class="num"><a href="/dead-letters${query({ queue: q.queue })}">${q.deadLetters}</a></td>
<td>${pauseState(pause)}</td>${act ? html`<td>${pauseButton({ kind: 'queue', name: q.queue }, pause !== undefined)}</td>` : ''}</tr>`;
  })}</tbody></table>
<h2>Job types</h2>
${
  jobTypes.length === 0
    ? html`<p class="muted">No job registry is loaded, so no job types are known (pass --registry).</p>`
    : html`<table><thead><tr><th>Job</th><th>Queue</th><th>Flow control</th><th>State</th>${act ? html`<th></th>` : ''}</tr></thead>
<tbody>${jobTypes.map(({ job, queue, limits }) => {
        const pause = pauseOf('job', job);
        return html`<tr><td><a href="/jobs${query({ job })}">${job}</a></td><td>${queue}</td><td>${limits}</td><td>${pauseState(pause)}</td>
${act ? html`<td>${pauseButton({ kind: 'job', name: job }, pause !== undefined)}</td>` : ''}</tr>`;
      })}</tbody></table>`
}
${
  input.canAct && !input.hasStore
    ? html`<p class="muted">Queues and job types are paused in the job table, and none is configured (WHARF_TABLE_NAME).</p>`
    : ''
}`;
}

function pausedList(pauses: QueuesPageInput['pauses'], canAct: boolean): SafeHtml {
  if ('error' in pauses)
    return html`<div class="notice bad"><p>What is paused could not be read: ${pauses.error}</p></div>`;
  if (pauses.length === 0) return html`<p class="muted">Nothing is paused.</p>`;
  return html`<table class="paused"><thead><tr><th>Kind</th><th>Name</th><th>State</th>${canAct ? html`<th></th>` : ''}</tr></thead>
<tbody>${pauses.map(
    (p) => html`<tr><td>${p.kind}</td><td>${nameLink(p)}</td><td>${pauseState(p)}</td>
${canAct ? html`<td>${pauseButton(p, true)}</td>` : ''}</tr>`,
  )}</tbody></table>`;
}

function nameLink(p: PauseView): SafeHtml {
  if (p.kind === 'schedule') return html`<a href="${homeOf('schedule')}">${p.name}</a>`;
  return html`<a href="/jobs${query(p.kind === 'queue' ? { queue: p.name } : { job: p.name })}">${p.name}</a>`;
}

import { JOB_STATUSES, type JobRecord } from '../../store/types.js';
import { html, query, type SafeHtml } from '../html.js';
import { jobTable } from './overview.js';

export interface JobFilters {
  readonly status?: string;
  readonly job?: string;
  readonly queue?: string;
  readonly cursor?: string;
}

/** Jobs by status (from the store's status index), narrowed by job and queue on the page shown. */
export function jobsPage(
  records: readonly JobRecord[],
  cursor: string | undefined,
  filters: JobFilters,
  choices: { readonly jobs: readonly string[]; readonly queues: readonly string[] },
): SafeHtml {
  const shown = records.filter(
    (r) => (!filters.job || r.jobName === filters.job) && (!filters.queue || r.queue === filters.queue),
  );
  const next = cursor ? html`<p><a href="/jobs${query({ ...filters, cursor })}">Next page →</a></p>` : '';
  return html`<form class="filters" method="get" action="/jobs">
${select('status', 'Status', JOB_STATUSES, filters.status)}
${select('job', 'Job', choices.jobs, filters.job)}
${select('queue', 'Queue', choices.queues, filters.queue)}
<button type="submit">Filter</button></form>
${shown.length === 0 ? html`<p class="muted">No jobs match${cursor ? ' on this page' : ''}.</p>` : jobTable(shown)}
${next}`;
}

function select(
  name: string,
  label: string,
  options: readonly string[],
  current: string | undefined,
): SafeHtml {
  return html`<label>${label}<select name="${name}"><option value="">any</option>${options.map(
    (o) => html`<option value="${o}"${o === current ? html` selected` : ''}>${o}</option>`,
  )}</select></label>`;
}

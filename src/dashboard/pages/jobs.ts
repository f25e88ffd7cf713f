import type { JobCounts } from '../../ops/types.js';
import { JOB_STATUSES, type JobRecord } from '../../store/types.js';
import { html, query, type SafeHtml } from '../html.js';
import { cancelByIdForm } from './cancel.js';
import { jobTable } from './overview.js';

export interface JobFilters {
  readonly status?: string;
  readonly job?: string;
  readonly queue?: string;
  readonly cursor?: string;
}

export interface JobsPageChoices {
  readonly jobs: readonly string[];
  readonly queues: readonly string[];
  /** Records by status (the first page only). */
  readonly counts?: JobCounts;
  /** Offers Cancel by id (not in read-only mode). */
  readonly canAct: boolean;
}

/**
 * Jobs by status (from the store's status index), narrowed by job and queue on the page shown; above them, how
 * many records each status has, each a link to its filter.
 */
export function jobsPage(
  records: readonly JobRecord[],
  cursor: string | undefined,
  filters: JobFilters,
  choices: JobsPageChoices,
): SafeHtml {
  const shown = records.filter(
    (r) => (!filters.job || r.jobName === filters.job) && (!filters.queue || r.queue === filters.queue),
  );
  const next = cursor ? html`<p><a href="/jobs${query({ ...filters, cursor })}">Next page →</a></p>` : '';
  return html`${choices.counts ? countsLine(choices.counts, filters.status) : ''}<form class="filters" method="get" action="/jobs">
${select('status', 'Status', JOB_STATUSES, filters.status)}
${select('job', 'Job', choices.jobs, filters.job)}
${select('queue', 'Queue', choices.queues, filters.queue)}
<button type="submit">Filter</button></form>
${shown.length === 0 ? html`<p class="muted">No jobs match${cursor ? ' on this page' : ''}.</p>` : jobTable(shown)}
${next}
${choices.canAct ? cancelByIdForm() : ''}`;
}

/** `queued 2 · running 1 · ... · cancelled 3`, each a filter link, and whether the walk saw every record. */
function countsLine(counts: JobCounts, current: string | undefined): SafeHtml {
  const scope = counts.complete
    ? html`<span class="muted">of ${counts.read} job record${counts.read === 1 ? '' : 's'}</span>`
    : html`<span class="muted">of the first ${counts.read} records read (the table holds more: at least these many, not totals)</span>`;
  return html`<p class="counts">${JOB_STATUSES.map(
    (status) =>
      html`<a href="/jobs${query({ status })}" class="count${status === current ? ' active' : ''}">${status} <strong>${counts.byStatus[status]}</strong></a> `,
  )}${scope}</p>`;
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

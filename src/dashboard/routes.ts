import { NotFoundError } from '../errors.js';
import { JOB_STATUSES, type JobStatus } from '../store/types.js';
import { getCancelRoute, postCancelRoute } from './cancel-routes.js';
import { html, path, type SafeHtml } from './html.js';
import { layout } from './layout.js';
import { confirmPage, type DeadLetterIntent, reportPage } from './pages/actions.js';
import { batchesPage, batchPage } from './pages/batches.js';
import { deadLetterPage } from './pages/dead-letter.js';
import { deadLettersPage } from './pages/dead-letters.js';
import { jobPage } from './pages/job.js';
import { jobsPage } from './pages/jobs.js';
import { overviewPage } from './pages/overview.js';
import { confirmRunNowPage, schedulesPage } from './pages/schedules.js';
import { getPauseRoute, postPauseRoute } from './pause-routes.js';
import { getPerformanceRoute } from './performance-route.js';
import { HttpError, type Page, type RouteContext } from './route-context.js';

export type { Page, RouteContext } from './route-context.js';
export { HttpError } from './route-context.js';

const page = (title: string, nav: string, body: SafeHtml): Page => ({ kind: 'page', title, nav, body });

export function render(p: Page): string {
  return layout(p.title, p.nav, p.body).value;
}

/** GET routes: read-only, so no CSRF token is needed (and none can be abused). */
export async function getRoute(
  ctx: RouteContext,
  segments: readonly string[],
  q: URLSearchParams,
): Promise<Page | undefined> {
  const [first, second, third] = segments;
  const action = (await getPauseRoute(ctx, segments, q)) ?? (await getCancelRoute(ctx, segments, q));
  if (action) return action;
  const performance = await getPerformanceRoute(ctx, segments, q);
  if (performance) return performance;
  if (segments.length === 0) {
    const [queues, recent] = await Promise.all([
      ctx.ops.queues(),
      ctx.ops.hasStore ? ctx.ops.jobs({ limit: 15 }).then((p) => p.records) : Promise.resolve(undefined),
    ]);
    return page('Overview', '/', overviewPage(queues, recent));
  }
  if (first === 'jobs' && second === undefined) return jobs(ctx, q);
  if (first === 'jobs' && second !== undefined && segments.length === 2) {
    const detail = await ctx.ops.job(second);
    if (!detail.record && detail.deadLetters.length === 0) throw notFound(`No job "${second}".`);
    return page(`Job ${second}`, '/jobs', jobPage(second, detail, ctx.ops.nowMs(), !ctx.readOnly));
  }
  if (first === 'batches' && second === undefined) {
    const cursor = q.get('cursor') || undefined;
    const list = ctx.ops.hasStore
      ? await ctx.ops.batches({ limit: 100, ...(cursor ? { cursor } : {}) })
      : undefined;
    return page('Batches', '/batches', batchesPage(list));
  }
  // ops.batch throws NotFoundError for an unknown id, which the server answers 404 as it does for a job.
  if (first === 'batches' && second !== undefined && segments.length === 2)
    return page(`Batch ${second}`, '/batches', batchPage(await ctx.ops.batch(second)));
  if (first === 'dead-letters' && second === undefined) {
    const queue = q.get('queue') || undefined;
    const list = await ctx.ops.deadLetters({ ...(queue ? { queue } : {}), limit: 100 });
    const queues = (await ctx.ops.queues()).map((o) => o.queue);
    return page(
      'Dead letters',
      '/dead-letters',
      deadLettersPage(list, queue, queues, ctx.readOnly ? undefined : ctx.csrf),
    );
  }
  if (first === 'dead-letters' && second !== undefined && third !== undefined && segments.length === 3) {
    const found = await ctx.ops.deadLetter(third, second);
    if (!found)
      throw notFound(`No dead letter "${third}" on queue "${second}" (retried or discarded since?).`);
    return page('Dead letter', '/dead-letters', deadLetterPage(found, ctx.readOnly ? undefined : ctx.csrf));
  }
  if (first === 'schedules' && segments.length === 1) {
    const list = await ctx.ops.schedules();
    return page('Schedules', '/schedules', schedulesPage(list, ctx.readOnly ? undefined : ctx.csrf));
  }
  return undefined;
}

async function jobs(ctx: RouteContext, q: URLSearchParams): Promise<Page> {
  const status = q.get('status') ?? '';
  const filters = {
    ...((JOB_STATUSES as readonly string[]).includes(status) ? { status } : {}),
    ...(q.get('job') ? { job: q.get('job')! } : {}),
    ...(q.get('queue') ? { queue: q.get('queue')! } : {}),
    ...(q.get('cursor') ? { cursor: q.get('cursor')! } : {}),
  };
  const [result, queues, counts] = await Promise.all([
    ctx.ops.jobs({
      limit: 100,
      ...(filters.status ? { status: filters.status as JobStatus } : {}),
      ...(filters.cursor ? { cursor: filters.cursor } : {}),
    }),
    ctx.ops.queues().then((all) => all.map((o) => o.queue)),
    // Counted on the first page only: a walk of the table, not to repeat on every page turned.
    filters.cursor ? Promise.resolve(undefined) : ctx.ops.jobCounts(),
  ]);
  return page(
    'Jobs',
    '/jobs',
    jobsPage(result.records, result.cursor, filters, {
      jobs: ctx.ops.jobNames,
      queues,
      ...(counts ? { counts } : {}),
      canAct: !ctx.readOnly,
    }),
  );
}

/** POST routes: the caller has checked the CSRF token, the origin, and that the dashboard is not read-only. */
export async function postRoute(
  ctx: RouteContext,
  route: string,
  form: URLSearchParams,
): Promise<Page | undefined> {
  const action = (await postPauseRoute(ctx, route, form)) ?? (await postCancelRoute(ctx, route, form));
  if (action) return action;
  if (route === '/dead-letters/confirm')
    return page('Confirm', '/dead-letters', confirmPage(intentOf(form, 'intent'), ctx.csrf));
  if (route === '/dead-letters/act') {
    if (form.get('confirm') !== 'yes') throw badRequest('The action was not confirmed.');
    const intent = intentOf(form, 'action');
    const queue = intent.queue ? { queue: intent.queue } : {};
    const selection = intent.all ? { ...queue, all: true as const } : { ...queue, refs: intent.ids };
    // The dashboard does not wait for a move task: the dead-letter page shows its progress.
    const options = { waitForMoveTasks: false };
    const report =
      intent.action === 'retry'
        ? await ctx.ops.retry(selection, options)
        : await ctx.ops.discard(selection, options);
    ctx.audit(
      `${intent.action} ${intent.all ? `all${intent.queue ? ` of ${intent.queue}` : ''}` : intent.ids.join(',')}: ` +
        `${report.succeeded.length} done, ${report.failed.length} failed, ${report.notFound.length} not found`,
    );
    await ctx.afterAction();
    return page(intent.action === 'retry' ? 'Retried' : 'Discarded', '/dead-letters', reportPage(report));
  }
  if (route === '/schedules/confirm')
    return page('Confirm', '/schedules', confirmRunNowPage(required(form, 'name'), ctx.csrf));
  if (route === '/schedules/run') {
    if (form.get('confirm') !== 'yes') throw badRequest('The action was not confirmed.');
    const name = required(form, 'name');
    const { jobId } = await ctx.ops.runSchedule(name);
    ctx.audit(`run-now ${name}: job ${jobId}`);
    await ctx.afterAction();
    return { kind: 'page', title: 'Schedules', nav: '/schedules', body: runNowDone(name, jobId) };
  }
  return undefined;
}

function intentOf(form: URLSearchParams, field: 'intent' | 'action'): DeadLetterIntent {
  const value = form.get(field) ?? '';
  const [action, scope] =
    field === 'intent' ? value.split('-') : [value, form.get('all') === 'yes' ? 'all' : 'selected'];
  if (action !== 'retry' && action !== 'discard') throw badRequest('Unknown action.');
  const ids = form.getAll('id').filter((id) => id.length > 0);
  const all = scope === 'all';
  if (!all && ids.length === 0)
    throw badRequest('Nothing was selected: tick one or more dead letters first.');
  const queue = form.get('queue') || undefined;
  return { action, all, ids: all ? [] : ids, ...(queue ? { queue } : {}) };
}

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw badRequest(`Missing ${name}.`);
  return value;
}

const badRequest = (message: string) => new HttpError(400, message);
const notFound = (message: string) => new NotFoundError(message);

function runNowDone(name: string, jobId: string): SafeHtml {
  return html`<div class="notice"><p>${name} enqueued as <a href="${path('jobs', jobId)}">${jobId}</a>.</p></div>
<p><a href="/schedules">Back to schedules</a></p>`;
}

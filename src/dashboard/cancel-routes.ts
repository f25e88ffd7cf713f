import { cancelResultPage, confirmCancelPage } from './pages/cancel.js';
import { HttpError, type Page, type RouteContext } from './route-context.js';

/**
 * The confirmation page of a cancel (a GET: it only shows what would happen). Refused in read-only mode, like
 * every action, so a read-only dashboard never even offers the form.
 */
export async function getCancelRoute(
  ctx: RouteContext,
  segments: readonly string[],
  q: URLSearchParams,
): Promise<Page | undefined> {
  if (segments.length !== 1 || segments[0] !== 'cancel') return undefined;
  refuseReadOnly(ctx);
  const jobId = jobIdOf(q);
  // The record only: the confirmation says what a cancel does in the state the job is in.
  const { record } = await ctx.ops.job(jobId);
  return { kind: 'page', title: 'Confirm', nav: '/jobs', body: confirmCancelPage(jobId, record, ctx.csrf) };
}

/** The confirmed cancel: the caller has checked the CSRF token, the origin and read-only mode. */
export async function postCancelRoute(
  ctx: RouteContext,
  route: string,
  form: URLSearchParams,
): Promise<Page | undefined> {
  if (route !== '/cancel') return undefined;
  if (form.get('confirm') !== 'yes') throw new HttpError(400, 'The action was not confirmed.');
  const jobId = jobIdOf(form);
  const result = await ctx.ops.cancel(jobId);
  ctx.audit(
    `cancel ${jobId}: ${result.outcome}${result.outcome === 'cancelled' ? ` at ${result.where}` : ''}`,
  );
  await ctx.afterAction();
  const title =
    result.outcome === 'not-cancelled'
      ? 'Not cancelled'
      : result.outcome === 'signalled'
        ? 'Asked to stop'
        : 'Cancelled';
  return { kind: 'page', title, nav: '/jobs', body: cancelResultPage(result) };
}

function refuseReadOnly(ctx: RouteContext): void {
  if (ctx.readOnly) throw new HttpError(403, 'Refused: this dashboard is read-only.');
}

function jobIdOf(fields: URLSearchParams): string {
  const jobId = fields.get('job')?.trim() ?? '';
  if (jobId === '') throw new HttpError(400, 'Missing job: the id of the job to cancel.');
  return jobId;
}

import { errorMessage, NotFoundError } from '../errors.js';
import type { Pausable, PauseView } from '../ops/types.js';
import { confirmPausePage, type PauseAction, pauseReportPage } from './pages/pause.js';
import { queuesPage } from './pages/queues.js';
import { HttpError, type Page, type RouteContext } from './route-context.js';

const KINDS: readonly Pausable['kind'][] = ['queue', 'job', 'schedule'];

/** The queues page, and the confirmation page of a pause or resume (a GET: it only shows what would happen). */
export async function getPauseRoute(
  ctx: RouteContext,
  segments: readonly string[],
  q: URLSearchParams,
): Promise<Page | undefined> {
  const [first] = segments;
  if (segments.length !== 1) return undefined;
  if (first === 'queues') {
    // The queue statistics are what most visits are for: a pause read that fails is shown, not thrown.
    const [queues, pauses] = await Promise.all([
      ctx.ops.queues(),
      ctx.ops.listPauses().catch((error: unknown) => ({ error: errorMessage(error) })),
    ]);
    const body = queuesPage({ queues, pauses, canAct: !ctx.readOnly, hasStore: ctx.ops.hasStore });
    return { kind: 'page', title: 'Queues', nav: '/queues', body };
  }
  if (first !== 'pause' && first !== 'resume') return undefined;
  refuseReadOnly(ctx);
  const target = targetOf(q);
  const current = await currentPause(ctx, target);
  return {
    kind: 'page',
    title: 'Confirm',
    nav: target.kind === 'schedule' ? '/schedules' : '/queues',
    body: confirmPausePage(first, target, current, ctx.csrf),
  };
}

/** The confirmed pause or resume: the caller has checked the CSRF token, the origin and read-only mode. */
export async function postPauseRoute(
  ctx: RouteContext,
  route: string,
  form: URLSearchParams,
): Promise<Page | undefined> {
  const action: PauseAction | undefined =
    route === '/pause' ? 'pause' : route === '/resume' ? 'resume' : undefined;
  if (!action) return undefined;
  if (form.get('confirm') !== 'yes') throw new HttpError(400, 'The action was not confirmed.');
  const target = targetOf(form);
  // An empty box is no reason; a schedule's form has none (Scheduler keeps none, and ops refuses one).
  const reason = action === 'pause' ? form.get('reason')?.trim() || undefined : undefined;
  const report =
    action === 'pause' ? await ctx.ops.pause(target, reason ? { reason } : {}) : await ctx.ops.resume(target);
  ctx.audit(
    `${action} ${target.kind} ${target.name}${reason ? ` (reason: ${reason})` : ''}: ` +
      `${report.changed ? 'changed' : 'no change'}`,
  );
  await ctx.afterAction();
  const title = `${action === 'pause' ? 'Paused' : 'Resumed'} ${target.kind}`;
  return {
    kind: 'page',
    title,
    nav: target.kind === 'schedule' ? '/schedules' : '/queues',
    body: pauseReportPage(report),
  };
}

function refuseReadOnly(ctx: RouteContext): void {
  if (ctx.readOnly) throw new HttpError(403, 'Refused: this dashboard is read-only.');
}

function targetOf(fields: URLSearchParams): Pausable {
  const kind = fields.get('kind') ?? '';
  const name = fields.get('name') ?? '';
  if (!(KINDS as readonly string[]).includes(kind))
    throw new HttpError(400, `Unknown kind ${JSON.stringify(kind)}: queue, job or schedule.`);
  if (name.trim() === '') throw new HttpError(400, 'Missing name.');
  return { kind: kind as Pausable['kind'], name };
}

/**
 * The pause as it stands, for the confirmation to say whether anything would change; and the target must exist,
 * so a mistyped address shows "not found" before the operator confirms anything.
 */
async function currentPause(ctx: RouteContext, target: Pausable): Promise<PauseView | undefined> {
  const known =
    target.kind === 'queue'
      ? (await ctx.ops.queues()).some((q) => q.queue === target.name)
      : target.kind === 'job'
        ? ctx.ops.jobNames.length === 0 || ctx.ops.jobNames.includes(target.name)
        : (await ctx.ops.schedules()).items.some((s) => s.kind !== 'one-time' && s.name === target.name);
  if (!known) throw new NotFoundError(`No ${target.kind} "${target.name}".`);
  const pauses = await ctx.ops.listPauses();
  return pauses.find((p) => p.kind === target.kind && p.name === target.name);
}

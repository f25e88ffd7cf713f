import type { BulkReport, Selection } from '../ops/types.js';
import { confirm } from './confirm.js';
import type { CliContext } from './context.js';
import { deadLetterRows, describeDeadLetter, describeReport } from './describe.js';
import { CliExit, EXIT } from './exit-codes.js';
import { printResult } from './output.js';
import { progressBar } from './progress.js';

export interface DlqListOptions {
  readonly queue?: string;
  readonly limit?: number;
}

export async function dlqList(ctx: CliContext, o: DlqListOptions): Promise<number> {
  const list = await ctx.ops.deadLetters({
    ...(o.queue ? { queue: o.queue } : {}),
    ...(o.limit ? { limit: o.limit } : {}),
  });
  const now = ctx.ops.nowMs();
  printResult(ctx.output, list, () => {
    if (list.items.length === 0) return 'no dead letters';
    const more = list.truncated ? `\n(more dead letters than the ${list.items.length} shown: --limit N)` : '';
    const tasks = list.moveTasks
      .filter((t) => t.status === 'RUNNING')
      .map((t) => `\nmove task running on ${t.queue}: ${t.moved}${t.toMove ? `/${t.toMove}` : ''} moved`)
      .join('');
    return `${deadLetterRows(list.items, now)}${more}${tasks}`;
  });
  return EXIT.ok;
}

export async function dlqShow(ctx: CliContext, ref: string, o: { readonly queue?: string }): Promise<number> {
  const found = await ctx.ops.deadLetter(ref, o.queue);
  if (!found) throw new CliExit(EXIT.notFound, `No dead letter with message id or job id "${ref}".`);
  printResult(ctx.output, found, () => describeDeadLetter(found, ctx.ops.nowMs()));
  return EXIT.ok;
}

export interface BulkCommandOptions {
  readonly queue?: string;
  readonly all?: boolean;
  readonly yes?: boolean;
  readonly rate?: number;
}

export async function dlqAct(
  ctx: CliContext,
  action: 'retry' | 'discard',
  refs: readonly string[],
  o: BulkCommandOptions,
): Promise<number> {
  const selection = selectionOf(refs, o);
  const scope = o.queue ? `of queue "${o.queue}"` : 'of every queue';
  const what = 'all' in selection ? `every dead letter ${scope}` : `${refs.length} dead letters`;
  if ('all' in selection || refs.length > 1) {
    const verb = action === 'retry' ? 'Retry' : 'Discard for good';
    await confirm(ctx.output, `${verb} ${what}?`, o.yes === true);
  }
  const { report, interrupted } = await runBulk(ctx, action, selection, o.rate);
  if (interrupted) ctx.output.err('interrupted: what was not done stays in the DLQ');
  await ctx.afterAction();
  printResult(ctx.output, report, () => describeReport(report));
  const nothingFound =
    report.succeeded.length === 0 && report.failed.length === 0 && report.notFound.length > 0;
  if (nothingFound && 'refs' in selection) return EXIT.notFound;
  const incomplete = report.failed.length > 0 || report.notFound.length > 0 || interrupted;
  return incomplete ? EXIT.partial : EXIT.ok;
}

/**
 * Runs the action with a progress bar. Ctrl-C stops it after the batch in hand and releases what is held,
 * instead of leaving dead letters hidden until their hold runs out.
 */
async function runBulk(
  ctx: CliContext,
  action: 'retry' | 'discard',
  selection: Selection,
  rate: number | undefined,
): Promise<{ readonly report: BulkReport; readonly interrupted: boolean }> {
  const progress = progressBar(ctx.output, action === 'retry' ? 'retrying' : 'discarding');
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  try {
    const bulk = {
      onProgress: progress.update,
      signal: stop.signal,
      ...(rate ? { maxPerSecond: rate } : {}),
    };
    const report =
      action === 'retry' ? await ctx.ops.retry(selection, bulk) : await ctx.ops.discard(selection, bulk);
    return { report, interrupted: stop.signal.aborted };
  } finally {
    process.off('SIGINT', onInterrupt);
    progress.done();
  }
}

function selectionOf(refs: readonly string[], o: BulkCommandOptions): Selection {
  const queue = o.queue ? { queue: o.queue } : {};
  if (o.all && refs.length > 0) throw new CliExit(EXIT.usage, 'Give dead letter ids or --all, not both.');
  if (o.all) return { ...queue, all: true };
  if (refs.length === 0)
    throw new CliExit(EXIT.usage, 'Give one or more dead letter ids (message or job ids), or --all.');
  return { ...queue, refs };
}

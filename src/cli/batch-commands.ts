import { batchCallbacksText, batchCountsText, batchProgressText, batchStateText } from '../ops/batch-text.js';
import { BATCH_OUTCOMES } from '../store/batch-types.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { ago, fields, printResult, table, whenText } from './output.js';

/**
 * `wharf batch <id>`: one batch's progress, its counts per outcome and its callbacks. An unknown id is ops'
 * NotFoundError, which exits 4 (not found).
 */
export async function batchShow(ctx: CliContext, batchId: string): Promise<number> {
  const batch = await ctx.ops.batch(batchId);
  const now = ctx.ops.nowMs();
  printResult(ctx.output, batch, () => {
    const head = fields([
      ['Batch', batch.batchId],
      ['Description', batch.description],
      ['State', batchStateText(batch)],
      ['Progress', batchProgressText(batch)],
      ['Created', whenText(batch.createdAtMs, now)],
      ['Finished', whenText(batch.finishedAtMs, now)],
      ['Callbacks sent', whenText(batch.callbacksSentAtMs, now)],
      ['Forgotten', whenText(batch.expiresAtMs, now)],
    ]);
    const counts = table(
      ['OUTCOME', 'CHILDREN'],
      [...BATCH_OUTCOMES.map((o) => [o, batch.counts[o]]), ['pending', batch.pending]],
    );
    const callbacks =
      batch.callbacks.length === 0
        ? 'no callbacks'
        : table(
            ['CALLBACK', 'JOB', 'JOB ID', 'STATE'],
            batch.callbacks.map((c) => [c.kind, c.jobName, c.jobId, c.state]),
          );
    return `${head}\n\n${counts}\n\n${callbacks}`;
  });
  return EXIT.ok;
}

export interface BatchesListOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

/** `wharf batches`: recent batches, newest first, a page at a time. */
export async function batchesList(ctx: CliContext, o: BatchesListOptions): Promise<number> {
  const page = await ctx.ops.batches({
    ...(o.limit ? { limit: o.limit } : {}),
    ...(o.cursor ? { cursor: o.cursor } : {}),
  });
  const now = ctx.ops.nowMs();
  printResult(ctx.output, page, () => {
    const more = page.cursor ? `\nmore: --cursor ${page.cursor}` : '';
    if (page.batches.length === 0) return `no batches${o.cursor ? ' after that cursor' : ''}${more}`;
    const rows = table(
      ['CREATED', 'BATCH', 'STATE', 'ENDED', 'OUTCOMES', 'CALLBACKS', 'DESCRIPTION'],
      page.batches.map((b) => [
        ago(b.createdAtMs, now),
        b.batchId,
        batchStateText(b),
        `${b.ended}/${b.total}`,
        batchCountsText(b),
        batchCallbacksText(b),
        b.description ?? '',
      ]),
    );
    return `${rows}${more}`;
  });
  return EXIT.ok;
}

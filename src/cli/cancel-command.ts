import { cancelText } from '../ops/cancel-text.js';
import { confirm } from './confirm.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { printResult } from './output.js';

export interface CancelCommandOptions {
  readonly yes?: boolean;
}

/**
 * `wharf cancel <jobId>`: asks first (it cannot be undone: a cancelled job is never run under that id), then
 * prints what happened. Exits 6 when nothing was stopped, so a script can tell a refusal from a cancel.
 */
export async function cancelCommand(
  ctx: CliContext,
  jobId: string,
  o: CancelCommandOptions,
): Promise<number> {
  await confirm(
    ctx.output,
    `Cancel job "${jobId}"? (one waiting in a schedule is deleted; one on its queue is never run; a running one is told to stop; this cannot be undone)`,
    o.yes === true,
  );
  const result = await ctx.ops.cancel(jobId);
  await ctx.afterAction();
  printResult(ctx.output, result, () => {
    const { headline, details } = cancelText(result);
    return [headline, ...details.map((d) => `${result.outcome === 'cancelled' ? 'note' : 'why'}: ${d}`)].join(
      '\n',
    );
  });
  return result.outcome === 'not-cancelled' ? EXIT.notCancelled : EXIT.ok;
}

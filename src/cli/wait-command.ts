import type { WaitOutcome } from '../client/types.js';
import { type Duration, parseDuration } from '../job/duration.js';
import { safeJson } from '../ops/printable.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT } from './exit-codes.js';
import { printResult } from './output.js';

export interface WaitCommandOptions {
  readonly timeout?: string;
}

/**
 * `wharf wait <jobId>`: waits for a job to end, as `client.waitFor` does, and prints how. Exits 0 when it
 * succeeded, 8 when it ended otherwise, 7 when the timeout passed, so a deploy script can wait on a job it started.
 * Ctrl-C stops the wait (and only the wait: the job goes on).
 */
export async function waitCommand(ctx: CliContext, jobId: string, o: WaitCommandOptions): Promise<number> {
  const timeout = (o.timeout ?? '30s') as Duration;
  const parsed = parseDuration(timeout);
  if ('problem' in parsed) throw new CliExit(EXIT.usage, `--timeout: ${parsed.problem}`);
  const outcome = await ctx.ops.waitFor(jobId, { timeout });
  printResult(ctx.output, withoutRecord(outcome), () => waitText(outcome));
  if (outcome.status === 'succeeded') return EXIT.ok;
  return outcome.status === 'timeout' ? EXIT.waitTimeout : EXIT.jobFailed;
}

/** The record is `wharf jobs show`'s to print; the answer keeps what a script branches on. */
function withoutRecord(outcome: WaitOutcome): object {
  if (outcome.status === 'timeout') return outcome;
  const { record, ...rest } = outcome;
  return { ...rest, attempt: record.attempt };
}

function waitText(outcome: WaitOutcome): string {
  const job = `job "${outcome.jobId}"`;
  switch (outcome.status) {
    case 'succeeded':
      return `${job} succeeded${outcome.result === undefined ? '' : `\nresult: ${safeJson(outcome.result, 2)}`}`;
    case 'timeout':
      return `${job} had not ended after ${outcome.waitedMs} ms (${outcome.polls} reads)\nwhy: ${outcome.reason}`;
    default:
      return `${job} ended ${outcome.status} after attempt ${outcome.record.attempt}\nwhy: ${outcome.reason}`;
  }
}

import type { ErrorReporter } from 'wharf-jobs';

/**
 * Where the example app's errors go: one JSON line on stderr per report (CloudWatch Logs, in Lambda), with the
 * job, its attempt, whether it will retry and the payload as wharf redacted it. This is the one place to call
 * Sentry.captureException(error, { tags, extra }) or Honeybadger.notify instead. Discards are left out, as the
 * README advises.
 */
export const reportError: ErrorReporter = (error, report) => {
  // A discard is the job's own decision (ctx.discard, discardOn), not an error to chase: the worker's outcome line
  // already says it.
  if (report.outcome === 'discarded') return;
  const { name, message } = error instanceof Error ? error : { name: 'NonError', message: String(error) };
  console.error(JSON.stringify({ wharfError: report.kind, name, message, ...report }));
};

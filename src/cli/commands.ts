import type { EnqueuedJob } from '../client/types.js';
import { errorMessage } from '../errors.js';
import { jobNote } from '../ops/cancel-text.js';
import type { JobStatus } from '../store/types.js';
import type { CliContext } from './context.js';
import { describeJobDetail } from './describe.js';
import { CliExit, EXIT } from './exit-codes.js';
import { ago, printResult, span, table, whenText } from './output.js';
import { sinceText } from './pause-commands.js';

export async function queuesCommand(ctx: CliContext): Promise<number> {
  const queues = await ctx.ops.queues();
  const now = ctx.ops.nowMs();
  printResult(ctx.output, queues, () =>
    table(
      ['QUEUE', 'STATE', 'VISIBLE', 'IN FLIGHT', 'DELAYED', 'DEAD LETTERS', 'OLDEST', 'JOBS'],
      queues.map((q) => [
        q.queue,
        q.paused ? sinceText(q.paused, now) : 'running',
        q.visible,
        q.inFlight,
        q.delayed,
        q.deadLetters,
        q.oldestAgeMs === undefined ? '-' : span(q.oldestAgeMs),
        q.jobs.map((job) => (q.limits?.[job] ? `${job} (${q.limits[job]})` : job)).join(', '),
      ]),
    ),
  );
  return EXIT.ok;
}

export async function jobsShow(ctx: CliContext, jobId: string): Promise<number> {
  const detail = await ctx.ops.job(jobId);
  if (!detail.record && detail.deadLetters.length === 0) {
    const where = ctx.ops.hasStore
      ? 'in the job table or a dead-letter queue'
      : 'in a dead-letter queue (no job table configured)';
    throw new CliExit(EXIT.notFound, `No job "${jobId}" ${where}.`);
  }
  printResult(ctx.output, { jobId, ...detail }, () => describeJobDetail(jobId, detail, ctx.ops.nowMs()));
  return EXIT.ok;
}

export interface JobsListOptions {
  readonly status?: JobStatus;
  readonly limit?: number;
  readonly cursor?: string;
}

export async function jobsList(ctx: CliContext, o: JobsListOptions): Promise<number> {
  const page = await ctx.ops.jobs({
    ...(o.status ? { status: o.status } : {}),
    ...(o.limit ? { limit: o.limit } : {}),
    ...(o.cursor ? { cursor: o.cursor } : {}),
  });
  const now = ctx.ops.nowMs();
  printResult(ctx.output, page, () => {
    const none = `no jobs${o.status ? ` with status ${o.status}` : ''}`;
    // A scanned listing (running, succeeded, or no status) can end a page early, even empty, and go on after it.
    if (page.records.length === 0)
      return page.cursor ? `${none} on this page\nmore: --cursor ${page.cursor}` : none;
    const rows = table(
      ['UPDATED', 'STATUS', 'JOB', 'JOB ID', 'ATTEMPT', 'NOTE'],
      page.records.map((r) => [ago(r.updatedAtMs, now), r.status, r.jobName, r.jobId, r.attempt, jobNote(r)]),
    );
    return page.cursor ? `${rows}\nmore: --cursor ${page.cursor}` : rows;
  });
  return EXIT.ok;
}

export interface JobsCountsOptions {
  readonly max?: number;
}

/** `wharf jobs counts`: records by status, and whether the walk saw them all (ops JobCounts). */
export async function jobsCounts(ctx: CliContext, o: JobsCountsOptions): Promise<number> {
  const counts = await ctx.ops.jobCounts(o.max === undefined ? {} : { maxRecords: o.max });
  printResult(ctx.output, counts, () => {
    const rows = table(['STATUS', 'JOBS'], Object.entries(counts.byStatus));
    const scope = counts.complete
      ? `${counts.read} job record${counts.read === 1 ? '' : 's'} in all`
      : `the first ${counts.read} records read only (the table holds more): at least these many, not totals (--max reads more)`;
    return `${rows}\n${scope}`;
  });
  return EXIT.ok;
}

export async function schedulesCommand(ctx: CliContext): Promise<number> {
  const schedules = await ctx.ops.schedules();
  const now = ctx.ops.nowMs();
  printResult(ctx.output, schedules, () => {
    if (!schedules.available) return 'no schedules (no schedule source is configured)';
    if (schedules.items.length === 0) return 'no schedules';
    return table(
      ['NAME', 'KIND', 'JOB', 'EXPRESSION', 'TIME ZONE', 'NEXT RUNS', 'STATE'],
      schedules.items.map((s) => [
        s.name,
        s.kind ?? '',
        s.job,
        s.expression,
        s.timezone ?? 'UTC',
        s.nextRunsMs.map((ms) => ago(ms, now)).join(', '),
        s.enabled ? 'enabled' : sinceText({ sinceMs: s.pausedSinceMs }, now),
      ]),
    );
  });
  return EXIT.ok;
}

export interface EnqueueOptions {
  readonly payload: string;
  readonly delay?: string;
  readonly jobId?: string;
  readonly priority?: string;
  readonly expiresIn?: string;
}

export async function enqueueCommand(ctx: CliContext, job: string, o: EnqueueOptions): Promise<number> {
  let payload: unknown;
  try {
    payload = JSON.parse(o.payload);
  } catch (error) {
    throw new CliExit(EXIT.usage, `--payload is not JSON: ${errorMessage(error)}`);
  }
  const enqueued = await ctx.ops.enqueue({
    job,
    payload,
    ...(o.delay ? { delay: o.delay } : {}),
    ...(o.jobId ? { jobId: o.jobId } : {}),
    ...(o.priority ? { priority: o.priority } : {}),
    ...(o.expiresIn ? { expiresIn: o.expiresIn } : {}),
  });
  await ctx.afterAction();
  printResult(ctx.output, enqueued, () => enqueuedText(enqueued, ctx.ops.nowMs()));
  return EXIT.ok;
}

/** A duplicate is never silent: it names the job that holds the key, and says nothing was sent. */
export function enqueuedText(enqueued: EnqueuedJob, nowMs: number): string {
  if (enqueued.outcome === 'duplicate') {
    return `not enqueued: a duplicate of ${enqueued.jobName} ${enqueued.jobId}, which holds its unique key (nothing was sent)`;
  }
  const lane = enqueued.lane === undefined ? '' : `, lane ${enqueued.lane}`;
  const lines = [`enqueued ${enqueued.jobName} ${enqueued.jobId} on queue ${enqueued.queue}${lane}`];
  if (enqueued.debounced) {
    const count = enqueued.debounced.count;
    lines.push(
      `debounced: ${count} enqueue${count === 1 ? '' : 's'} in its burst so far; it runs with the last payload`,
    );
  }
  if (enqueued.expiresAtMs !== undefined)
    lines.push(`expires ${whenText(enqueued.expiresAtMs, nowMs)} unless started by then`);
  return lines.join('\n');
}

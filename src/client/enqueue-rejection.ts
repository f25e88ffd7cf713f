import type { Clock } from '../clock.js';
import { InvalidOptionsError, InvalidPayloadError, UnknownJobError, type WharfError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { QueueKind } from '../transport/types.js';
import { type KnownLanes, type PreparedJob, prepare } from './prepare.js';
import { queueFitProblems } from './queue-fit.js';
import type { EnqueueRequest } from './types.js';

/** One reason a request cannot be enqueued. */
export interface EnqueueProblem {
  /** The request's position in a bulk enqueue (0 for a single one). */
  readonly index: number;
  readonly jobName: string;
  readonly kind: 'unknown-job' | 'options' | 'payload';
  readonly text: string;
}

/**
 * Validates every request and returns the prepared jobs, or throws one error listing every problem of every
 * request. Single and bulk enqueue (and wharf-jobs/testing) go through here, so the same problem always raises
 * the same class with the same code.
 */
export async function prepareOrReject(
  requests: readonly EnqueueRequest[],
  clock: Clock,
  registry: JobRegistry | undefined,
  bulk: boolean,
  lanes: KnownLanes,
  /** What each queue is (FIFO or standard), so a job that cannot go there is refused here. @default standard */
  queueKind?: (queue: string) => QueueKind,
  /** The producer's trace header, one for the whole call (README "Traces"). @default none */
  trace?: string,
): Promise<PreparedJob[]> {
  const results = await Promise.all(requests.map((request) => prepare(request, clock, lanes, trace)));
  const problems: EnqueueProblem[] = [];
  const ready: PreparedJob[] = [];
  results.forEach((result, index) => {
    const jobName = requests[index]?.job.name ?? '';
    const add = (kind: EnqueueProblem['kind'], texts: readonly string[]) => {
      for (const text of texts) problems.push({ index, jobName, kind, text });
    };
    if (registry && !registry.get(jobName)) add('unknown-job', [unknownJobText(jobName, registry)]);
    const job = requests[index]?.job;
    if (queueKind && job) {
      const delayed = result.ok && result.job.envelope.runAtMs !== undefined;
      add('options', queueFitProblems(job, queueKind(job.options.queue), delayed));
    }
    if (result.ok) ready.push(result.job);
    else {
      add('options', result.optionProblems);
      add('payload', result.payloadProblems);
    }
  });
  if (problems.length > 0) throw enqueueRejection(problems, requests.length, bulk, registry);
  return ready;
}

/**
 * The one error for refused requests. Its class and code say the gravest kind of problem among them:
 * `UnknownJobError` (WHARF_UNKNOWN_JOB), then `InvalidOptionsError` (WHARF_INVALID_OPTIONS), then
 * `InvalidPayloadError` (WHARF_INVALID_PAYLOAD). Its list has every problem; in bulk each starts `#index name:`.
 */
export function enqueueRejection(
  problems: readonly EnqueueProblem[],
  total: number,
  bulk: boolean,
  registry?: JobRegistry,
): WharfError {
  const first = problems[0]!;
  const invalid = new Set(problems.map((p) => p.index)).size;
  const subject = bulk
    ? `bulk enqueue (${invalid} of ${total} jobs invalid; nothing was sent)`
    : `enqueue of "${first.jobName}"`;
  const has = (kind: EnqueueProblem['kind']) => problems.some((p) => p.kind === kind);
  // A single enqueue with option problems keeps saying which problems are the payload's.
  const lines = problems.map((p) => {
    const text =
      !bulk && p.kind === 'payload' && (has('options') || has('unknown-job')) ? `payload: ${p.text}` : p.text;
    return bulk ? `#${p.index} ${p.jobName}: ${text}` : text;
  });
  if (has('unknown-job')) {
    const unknown = [...new Set(problems.filter((p) => p.kind === 'unknown-job').map((p) => p.jobName))];
    return new UnknownJobError(subject, unknown, registry?.jobs.map((job) => job.name) ?? [], lines);
  }
  if (has('options')) return new InvalidOptionsError(subject, lines);
  return new InvalidPayloadError(first.jobName, lines, bulk ? subject : undefined);
}

function unknownJobText(jobName: string, registry: JobRegistry): string {
  const known = registry.jobs.map((job) => `"${job.name}"`).join(', ') || '(none)';
  return (
    `job "${jobName}" is not in this client's registry (its jobs: ${known}); a worker running that registry ` +
    'would dead-letter it as unknown-job. Add the job to createRegistry([...]) or enqueue through a client ' +
    'built with the registry that has it'
  );
}

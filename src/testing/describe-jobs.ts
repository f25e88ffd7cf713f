import { formatMs } from '../job/duration.js';
import type { CapturedJob } from './types.js';

const PAYLOAD_CHARS = 120;
const LISTED_JOBS = 15;

/** JSON of a value, cut at `max` characters: failure messages must stay readable with big payloads. */
export function preview(value: unknown, max = PAYLOAD_CHARS): string {
  let text: string;
  try {
    text = JSON.stringify(value, showMatchers) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// Asymmetric matchers (expect.any(String)...) in a payload pattern print as the runner names them, not as their fields.
function showMatchers(_key: string, value: unknown): unknown {
  const matcher = value as { asymmetricMatch?: unknown; toAsymmetricMatcher?: () => string } | null;
  if (typeof matcher?.asymmetricMatch !== 'function') return value;
  return `<${matcher.toAsymmetricMatcher?.() ?? String(value)}>`;
}

/** One line per job: name, payload, queue and when it is due, so a failed assertion shows what was enqueued. */
export function describeJob(job: CapturedJob): string {
  const delayMs = job.runAtMs - job.enqueuedAtMs;
  const due =
    delayMs === 0 ? 'no delay' : `delay ${formatMs(delayMs)}, at ${new Date(job.runAtMs).toISOString()}`;
  const attempt = job.attempt > 1 ? `, attempt ${job.attempt}` : '';
  return `${job.jobName} ${preview(job.payload)} (queue ${job.queue}, ${due}${attempt})`;
}

/** The enqueued jobs as an indented list, or a line saying there are none. */
export function describeJobs(jobs: readonly CapturedJob[], notes?: ReadonlyMap<CapturedJob, string>): string {
  if (jobs.length === 0) return 'No jobs are enqueued.';
  const lines = jobs.slice(0, LISTED_JOBS).map((job) => {
    const note = notes?.get(job);
    return `  - ${describeJob(job)}${note ? `\n      ${note}` : ''}`;
  });
  if (jobs.length > LISTED_JOBS) lines.push(`  ... and ${jobs.length - LISTED_JOBS} more`);
  return `Enqueued jobs (${jobs.length}):\n${lines.join('\n')}`;
}

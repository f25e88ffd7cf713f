import { createHash } from 'node:crypto';

/** EventBridge Scheduler's rule for schedule (and group) names: 1-64 of these characters. */
export const SCHEDULE_NAME_PATTERN = /^[0-9A-Za-z_.-]{1,64}$/;
const MAX_NAME_CHARS = 64;
/** Room kept for a retry's `.r<attempt>` suffix (attempts go up to 1000). */
const RETRY_SUFFIX_ROOM = 6;
const HASH_CHARS = 20;

export const ONE_TIME_PREFIX = 'job.';
export const RECURRING_PREFIX = 'recurring.';

/**
 * The schedule that delivers `jobId` at `attempt` (1 for what the producer enqueued, more for a retry waiting in
 * Scheduler). Deterministic, so cancel and reschedule find it from the job id alone. A retry gets its own name
 * because the schedule of the attempt before may still exist for a moment after it fired (ActionAfterCompletion
 * deletes it shortly after, not at once).
 */
export function oneTimeScheduleName(jobId: string, attempt = 1): string {
  const base = scheduleName(ONE_TIME_PREFIX, jobId, MAX_NAME_CHARS - RETRY_SUFFIX_ROOM);
  return attempt === 1 ? base : `${base}.r${attempt}`;
}

/** The schedule of a recurring task. */
export function recurringScheduleName(task: string): string {
  return scheduleName(RECURRING_PREFIX, task, MAX_NAME_CHARS);
}

/**
 * `prefix + key` when that is a valid name of at most `maxChars`, else a readable head of the key and a hash of
 * all of it, joined by "..". A verbatim name never contains "..", so a hashed name cannot equal a verbatim one,
 * and two keys that read alike once sanitised ("a/b" and "a_b") still get different names.
 */
function scheduleName(prefix: string, key: string, maxChars: number): string {
  const verbatim = `${prefix}${key}`;
  if (verbatim.length <= maxChars && SCHEDULE_NAME_PATTERN.test(verbatim) && !verbatim.includes('..'))
    return verbatim;
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, HASH_CHARS);
  const room = maxChars - prefix.length - 2 - HASH_CHARS;
  const head = key
    .replace(/[^0-9A-Za-z_.-]/g, '_')
    .replace(/\.{2,}/g, '.')
    .slice(0, room)
    .replace(/\.$/, '');
  return `${prefix}${head}..${hash}`;
}

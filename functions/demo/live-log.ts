import type { ErrorReporter, JobEvent, JobLogger, LogAttributes, RecurringTask } from 'wharf-jobs';
import type { ScheduleFiring } from 'wharf-jobs/local';

const color = (code: number) => (text: string) =>
  process.stdout.isTTY ? `\u001b[${code}m${text}\u001b[0m` : text;
const green = color(32);
const yellow = color(33);
const red = color(31);
const gray = color(90);
const cyan = color(36);

/** One readable line per event, stamped with the time on the engine's (fast-forwarded) clock. */
export function liveLog(
  startMs: number,
  write: (line: string) => void = console.log,
): (event: JobEvent) => void {
  return (event) => {
    const line = describe(event);
    if (line) write(`${gray(stamp(event.atMs - startMs))} ${line}`);
  };
}

/**
 * What the demo's jobs write through `ctx.logger`, as one readable line under the live log's (on Lambda the same
 * calls write Powertools' JSON lines). The keys wharf stamps (jobName, jobId, attempt, queue) lead the line.
 */
export function jobLogger(write: (line: string) => void = console.log): JobLogger {
  const line =
    (level: string) =>
    (message: string, ...extra: LogAttributes[]): void => {
      const { jobName, jobId, attempt: _attempt, queue: _queue, ...rest } = Object.assign({}, ...extra);
      const fields = Object.keys(rest).length === 0 ? '' : ` ${gray(JSON.stringify(rest))}`;
      write(
        `  ${gray('✎')} ${jobName ?? ''} ${gray(short(jobId))} ${level === 'info' ? '' : `${level}: `}${message}${fields}`,
      );
    };
  return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * The demo's error reporter (where Sentry would go): one line for each error that will not fix itself, a dead
 * letter or a hook that failed. Errors that retry are in the live log already, and a discard is the job's own
 * choice, not an error to page anyone about.
 */
export function reportLog(write: (line: string) => void = console.log): ErrorReporter {
  return (error, report) => {
    if (report.willRetry || report.outcome === 'discarded') return;
    const what = report.hook ? `${report.hook} of ${report.jobName}` : `${report.jobName ?? 'a message'}`;
    const payload = report.payload === undefined ? '' : ` payload ${JSON.stringify(report.payload)}`;
    write(
      red(
        `  ⚑ reported: ${what} (${report.outcome}): ${error instanceof Error ? error.message : String(error)}${payload}`,
      ),
    );
  };
}

/** One line per schedule firing: a recurring task at its time, or a job whose delay was over 15 minutes. */
export function scheduleLog(
  startMs: number,
  tasks: readonly RecurringTask[],
  write: (line: string) => void = console.log,
): (firing: ScheduleFiring) => void {
  return (firing) => {
    const task = tasks.find((t) => t.task === firing.task);
    const what = task
      ? `recurring task ${firing.task} fired (${task.schedule.source}, ${localTime(firing.scheduledAtMs, task.timeZone)} ${task.timeZone})`
      : `schedule of ${short(firing.jobId)} fired`;
    write(`${gray(stamp(firing.scheduledAtMs - startMs))} ${cyan(`⏰ ${what}`)}`);
  };
}

function localTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(ms);
}

function describe(e: JobEvent): string | undefined {
  const who = `${e.jobName ?? '(unreadable)'} ${gray(short(e.jobId))}`;
  const attempt = e.attempt ? gray(` attempt ${e.attempt}`) : '';
  switch (e.type) {
    case 'started':
      return `▶ ${who}${attempt} started`;
    case 'succeeded':
      return green(`✓ ${who}${attempt} succeeded in ${e.durationMs} ms`);
    case 'retrying':
      return yellow(`↻ ${who}${attempt} failed: ${e.error.message}; retrying in ${seconds(e.delayMs)}`);
    case 'dead':
      return red(`✗ ${who}${attempt} dead-lettered (${e.reason}): ${e.error.message}`);
    case 'discarded':
      return yellow(`⌫ ${who}${attempt} discarded: ${e.error.message}`);
    case 'duplicate':
      return gray(`= ${who} already done; duplicate delivery acknowledged`);
    case 'deferred':
      if (e.why === 'not-due') return undefined; // a 15-minute hop of a long delay
      return gray(`… ${who} put off ${seconds(e.delayMs)} (${e.why})`);
    case 'expired':
      return yellow(`⌛ ${who} expired ${seconds(e.lateMs)} past its expiry; never run`);
    case 'cancelled':
      return yellow(`⊘ ${who} cancelled${e.whileRunning ? ' while it ran' : '; never run'}`);
    case 'debounced':
      return gray(`≈ ${who} folded into a later enqueue of its burst`);
    case 'progress':
      return e.progress.total && e.progress.done % 2 === 0
        ? gray(`  ${who} ${e.progress.done}/${e.progress.total} ${e.progress.message ?? ''}`)
        : undefined;
    default:
      return gray(`${e.type} ${who}`);
  }
}

function stamp(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `[+${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}]`;
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`;
}

function short(id: string | undefined): string {
  if (!id) return '';
  // A recurring firing's id says which task and which night: worth showing whole.
  if (id.startsWith('recurring:')) return id;
  return id.length > 24 ? `${id.slice(0, 8)}…` : id;
}

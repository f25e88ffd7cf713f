import type { FailureRecord } from '../envelope/envelope.js';
import { cancelRequestedText, isNameUnknown } from '../ops/cancel-text.js';
import { deferralText } from '../ops/deferral-text.js';
import { errorWithStack } from '../ops/error-text.js';
import type { BulkReport, DeadLetterView, JobDetail } from '../ops/types.js';
import type { JobRecord } from '../store/types.js';
import { ago, fields, table, whenText } from './output.js';

/** A job's detail for people: its record, payload (redacted), last error with its stack, and dead letters. */
/** The durable steps a record holds, in the order they completed: `charge, reserve, slept 1, ship`. */
function stepsText(steps: NonNullable<JobDetail['record']>['steps'] & object): string | undefined {
  const names = Object.entries(steps)
    .sort((a, b) => a[1].atMs - b[1].atMs)
    .map(([name]) => (name.startsWith('~sleep:') ? `slept ${name.slice('~sleep:'.length)}` : name));
  return names.length > 0 ? names.join(', ') : undefined;
}

export function describeJobDetail(jobId: string, detail: JobDetail, nowMs: number): string {
  const r = detail.record;
  const progress = r?.progress
    ? `${r.progress.done}${r.progress.total !== undefined ? `/${r.progress.total}` : ''} ${r.progress.message ?? ''}`
    : undefined;
  const unknown = r !== undefined && isNameUnknown(r);
  const parts = [
    fields([
      [
        'job',
        unknown
          ? 'not known yet (cancelled before any run of it was claimed)'
          : (r?.jobName ?? detail.deadLetters[0]?.jobName),
      ],
      ['id', jobId],
      ['queue', unknown ? undefined : r?.queue],
      ['status', r?.status ?? (detail.deadLetters.length > 0 ? 'dead (no record)' : undefined)],
      ['why', r?.skippedReason],
      ['cancel requested', r ? cancelRequested(r, nowMs) : undefined],
      ['attempt', r?.attempt],
      ['created', whenText(r?.createdAtMs, nowMs)],
      ['started', whenText(r?.startedAtMs, nowMs)],
      ['finished', whenText(r?.finishedAtMs, nowMs)],
      ['progress', progress],
      ['waiting', r?.deferred ? deferralText(r.deferred, nowMs) : undefined],
      ['steps done', r?.steps ? stepsText(r.steps) : undefined],
      ['result', r?.result === undefined ? undefined : JSON.stringify(r.result)],
      ['payload', pretty(detail.payload)],
      ['last error', r?.lastError ? errorWithStack(r.lastError) : undefined],
    ]),
  ];
  if (r?.failures?.length) parts.push(`failures:\n${failureLines(r.failures, nowMs)}`);
  if (detail.deadLetters.length > 0) {
    parts.push(
      `dead letters:\n${detail.deadLetters.map((d) => `  ${d.messageId} (${d.queue}, ${d.reason})`).join('\n')}`,
    );
  }
  return parts.join('\n');
}

/** When a cancel was asked for, and for a job still running, what it means. */
function cancelRequested(r: JobRecord, nowMs: number): string | undefined {
  const when = whenText(r.cancelRequestedAtMs, nowMs);
  if (when === undefined) return undefined;
  const meaning = cancelRequestedText(r);
  return meaning ? `${when}: ${meaning}` : when;
}

export function describeDeadLetter(d: DeadLetterView, nowMs: number): string {
  const parts = [
    fields([
      ['message id', d.messageId],
      ['queue', d.queue],
      ['kind', kindText(d)],
      ['reason', d.reason],
      ['job', d.jobName],
      ['job id', d.jobId],
      ['attempts', d.attempts],
      ['first failed', whenText(d.firstFailedAtMs, nowMs)],
      ['failed', whenText(d.failedAtMs, nowMs)],
      ['created', whenText(d.createdAtMs, nowMs)],
      ['error', d.error ? errorWithStack(d.error) : undefined],
      ['payload', pretty(d.payload)],
      ['raw body', d.rawBody],
    ]),
  ];
  if (d.failures.length > 0) parts.push(`failures:\n${failureLines(d.failures, nowMs)}`);
  const attributes = Object.entries(d.attributes).sort(([a], [b]) => a.localeCompare(b));
  if (attributes.length > 0) parts.push(`attributes:\n${indent(table(['NAME', 'VALUE'], attributes))}`);
  return parts.join('\n');
}

export function deadLetterRows(items: readonly DeadLetterView[], nowMs: number): string {
  return table(
    ['MESSAGE ID', 'QUEUE', 'JOB', 'JOB ID', 'REASON', 'ATTEMPTS', 'FAILED', 'ERROR'],
    items.map((d) => [
      d.messageId,
      d.queue,
      d.jobName,
      d.jobId,
      d.reason,
      d.attempts,
      ago(d.failedAtMs, nowMs),
      d.error ? `${d.error.name}: ${d.error.message}` : '',
    ]),
  );
}

export function describeReport(report: BulkReport): string {
  const verb = report.action === 'retry' ? 'retried' : 'discarded';
  const how = { copy: 'copied back, then deleted', 'move-task': 'SQS message move task', delete: 'deleted' }[
    report.method
  ];
  const lines: string[] = [];
  if (report.method === 'move-task') {
    for (const t of report.moveTasks) {
      lines.push(
        `${t.queue}: move task ${t.status.toLowerCase()}, ${t.moved}${t.toMove !== undefined ? `/${t.toMove}` : ''} moved`,
      );
    }
  } else
    lines.push(
      `${verb} ${report.succeeded.length} dead letter${report.succeeded.length === 1 ? '' : 's'} (${how})`,
    );
  if (report.fallback) lines.push(`note: ${report.fallback}`);
  for (const item of report.succeeded.filter((i) => i.note))
    lines.push(`note: ${item.messageId}: ${item.note}`);
  for (const f of report.failed)
    lines.push(`failed: ${f.messageId ?? f.queue ?? ''} ${f.jobId ?? ''} [${f.code}] ${f.message}`);
  for (const ref of report.notFound) lines.push(`not found: ${ref}`);
  return lines.join('\n');
}

function kindText(d: DeadLetterView): string {
  if (d.kind === 'max-receives')
    return 'max-receives (moved by SQS after maxReceiveCount receives, with no outcome recorded)';
  if (d.kind === 'poison') return 'poison (not a usable envelope; raw body kept)';
  return 'dead letter (written by wharf with its story)';
}

function failureLines(failures: readonly FailureRecord[], nowMs: number): string {
  return failures
    .map(
      (f) => `  attempt ${f.attempt}, ${whenText(f.atMs, nowMs) ?? ''}: ${f.error.name}: ${f.error.message}`,
    )
    .join('\n');
}

function pretty(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value, null, 2);
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}

import type { Pausable, PauseReport, PauseView } from '../ops/types.js';
import { confirm } from './confirm.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { ago, printResult, table, whenText } from './output.js';

export const PAUSABLE_KINDS = ['queue', 'job', 'schedule'] as const;

export interface PauseCommandOptions {
  readonly reason?: string;
  readonly yes?: boolean;
}

/** What each pause stops, said before the operator confirms it. */
const EFFECT: Readonly<Record<Pausable['kind'], { readonly pause: string; readonly resume: string }>> = {
  queue: {
    pause: 'its Lambda event source mappings are switched off and worker processes stop receiving from it',
    resume: 'its Lambda event source mappings are switched on and worker processes receive from it again',
  },
  job: {
    pause: 'its jobs are put off at claim, without using an attempt, until it is resumed',
    resume: 'its jobs run again as they come back',
  },
  schedule: {
    pause: 'the recurring schedule does not fire until it is resumed (runs missed meanwhile do not happen)',
    resume: 'the recurring schedule fires again from its next time',
  },
};

export async function pauseCommand(
  ctx: CliContext,
  action: 'pause' | 'resume',
  kind: Pausable['kind'],
  name: string,
  o: PauseCommandOptions,
): Promise<number> {
  const verb = action === 'pause' ? 'Pause' : 'Resume';
  await confirm(ctx.output, `${verb} ${kind} "${name}"? (${EFFECT[kind][action]})`, o.yes === true);
  const target = { kind, name };
  const report =
    action === 'pause'
      ? await ctx.ops.pause(target, o.reason !== undefined ? { reason: o.reason } : {})
      : await ctx.ops.resume(target);
  await ctx.afterAction();
  printResult(ctx.output, report, () => describePauseReport(report, ctx.ops.nowMs()));
  return EXIT.ok;
}

export async function pausesCommand(ctx: CliContext): Promise<number> {
  const pauses = await ctx.ops.listPauses();
  const now = ctx.ops.nowMs();
  printResult(ctx.output, pauses, () =>
    pauses.length === 0
      ? 'nothing is paused'
      : table(
          ['KIND', 'NAME', 'PAUSED SINCE', 'REASON'],
          pauses.map((p) => [p.kind, p.name, sinceText(p, now), p.reason ?? '']),
        ),
  );
  return EXIT.ok;
}

export function describePauseReport(report: PauseReport, nowMs: number): string {
  const { kind, name } = report.target;
  const done = report.action === 'pause' ? 'paused' : 'resumed';
  const lines = [report.changed ? `${done} ${kind} "${name}"` : `no change: ${kind} "${name}"`];
  if (report.pause) {
    const since = whenText(report.pause.sinceMs, nowMs);
    lines.push(`paused since ${since ?? 'unknown'}${report.pause.reason ? `: ${report.pause.reason}` : ''}`);
  }
  for (const m of report.eventSourceMappings ?? [])
    lines.push(
      `event source mapping ${m.uuid} (${m.functionArn}): ${m.state}${m.changed ? '' : ', unchanged'}`,
    );
  for (const note of report.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

/** "paused since 5m ago", for the queue and schedule listings too. */
export function sinceText(pause: Pick<PauseView, 'sinceMs'>, nowMs: number): string {
  return pause.sinceMs === undefined ? 'paused' : `paused since ${ago(pause.sinceMs, nowMs)}`;
}

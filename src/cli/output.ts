import { printable, safeJson } from '../ops/printable.js';

/** Where the CLI writes; tests and the launcher pass the process streams. */
export interface Output {
  readonly json: boolean;
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars and prompts only make sense there. */
  readonly interactive: boolean;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    interactive: process.stderr.isTTY === true && process.stdin.isTTY === true,
  };
}

/**
 * Prints `value` as JSON for scripts, or runs `human` for people. Either way nothing a job put in its content
 * reaches the terminal as a control sequence: JSON is escaped, text made printable (newlines kept).
 */
export function printResult(output: Output, value: unknown, human: () => string): void {
  output.out(output.json ? safeJson(value, 2) : printable(human(), { multiline: true }));
}

const MAX_CELL = 60;

/**
 * A plain-text table: every cell is made printable (job content is untrusted and may carry terminal escapes) and
 * cut to a width people can read; `--json` has the full values.
 */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = rows.map((row) => row.map((cell) => cut(printable(cell === undefined ? '' : String(cell)))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

function cut(text: string): string {
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** Label: value lines for one object; values are made printable, multi-line ones indented below the label. */
export function fields(pairs: readonly (readonly [string, unknown])[]): string {
  const shown = pairs.filter(([, value]) => value !== undefined && value !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown
    .map(([label, value]) => {
      const text = printable(String(value), { multiline: true });
      if (!text.includes('\n')) return `${`${label}:`.padEnd(width + 2)}${text}`;
      return `${label}:\n${text.replace(/^/gm, '  ')}`;
    })
    .join('\n');
}

/** A length of time as people say it: 42s, 5m, 3h, 2d. */
export function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.round(s / 60)}m`;
  return s < 172_800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
}

export function ago(ms: number | undefined, nowMs: number): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  return nowMs >= ms ? `${span(nowMs - ms)} ago` : `in ${span(ms - nowMs)}`;
}

export function whenText(ms: number | undefined, nowMs: number): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return `${new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z')} (${ago(ms, nowMs)})`;
}

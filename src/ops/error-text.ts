import type { ErrorSummary } from '../envelope/envelope.js';

/** `Name [CODE]: message`, the way the CLI and dashboard head an error. */
export function errorHeadline(error: ErrorSummary): string {
  return `${error.name}${error.code ? ` [${error.code}]` : ''}: ${error.message}`;
}

/**
 * The headline, then the stack without its first line when that line only repeats name and message, then the
 * cause's headline when there is one.
 */
export function errorWithStack(error: ErrorSummary): string {
  const head = errorHeadline(error) + (error.cause ? `\nCaused by: ${errorHeadline(error.cause)}` : '');
  if (!error.stack) return head;
  const first = `${error.name}: ${error.message}`;
  const frames = error.stack.startsWith(`${first}\n`) ? error.stack.slice(first.length + 1) : error.stack;
  return `${head}\n${frames}`;
}

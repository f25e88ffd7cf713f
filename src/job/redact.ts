export const REDACTED = '[redacted]';

/**
 * A copy of `payload` with the fields at `paths` replaced by "[redacted]" (Mission Control's filter_arguments).
 * A path is dot-separated (`card.number`); `*` stands for every key or array index at its level
 * (`items.*.token`). Paths that lead nowhere are ignored: payloads of one job vary in shape.
 */
export function redact(payload: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0 || payload === undefined) return payload;
  // Payloads are JSON values (they crossed a queue), so a JSON round trip is a complete copy.
  const copy: unknown = JSON.parse(JSON.stringify(payload));
  for (const path of paths) redactAt(copy, path.split('.'));
  return copy;
}

function redactAt(node: unknown, segments: readonly string[]): void {
  if (typeof node !== 'object' || node === null || segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  const container = node as Record<string, unknown>;
  const keys = head === '*' ? Object.keys(container) : Object.hasOwn(container, head) ? [head] : [];
  for (const key of keys) {
    if (rest.length === 0) container[key] = REDACTED;
    else redactAt(container[key], rest);
  }
}

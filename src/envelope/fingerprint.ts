import { createHash } from 'node:crypto';

/**
 * A payload's fingerprint: SHA-256 of its JSON with every object's keys sorted, so the same payload written by two
 * producers (or re-serialized by a retry) has one fingerprint whatever its key order. Exactly-once mode keeps it
 * on the job record and compares it at claim: a job id enqueued again with another payload is refused as
 * `job-id-reused`, not acknowledged as a duplicate of a job it is not (reliability scenario S16).
 *
 * Runs on decoded envelopes only, whose depth the decoder has already bounded (MAX_DEPTH), so the recursion is safe.
 */
export function payloadFingerprint(payload: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(payload), 'utf8').digest('base64url')}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

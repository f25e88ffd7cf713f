import type { StandardSchemaV1 } from '@standard-schema/spec';
import { InvalidPayloadError } from '../errors.js';

export type ValidationResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: string[] };

/** Runs a Standard Schema (sync or async) and turns its issues into readable lines: `path: message`. */
export async function validatePayload(schema: StandardSchemaV1, payload: unknown): Promise<ValidationResult> {
  let result = schema['~standard'].validate(payload);
  if (result instanceof Promise) result = await result;
  if (!result.issues) return { ok: true, value: result.value };
  return { ok: false, issues: result.issues.map(formatIssue) };
}

/** Validates or throws InvalidPayloadError listing every problem. */
export async function parsePayload(
  jobName: string,
  schema: StandardSchemaV1,
  payload: unknown,
): Promise<unknown> {
  const result = await validatePayload(schema, payload);
  if (!result.ok) throw new InvalidPayloadError(jobName, result.issues);
  return result.value;
}

function formatIssue(issue: StandardSchemaV1.Issue): string {
  const path = (issue.path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map(String);
  return path.length > 0 ? `${path.join('.')}: ${issue.message}` : issue.message;
}

import type { JobOptions } from './types.js';

/** A step's result limit when the job does not set one: what the record keeps of a job's own result. */
export const DEFAULT_STEP_RESULT_BYTES = 32_768;
/** The most one step may keep: every step, the payload and the result share one 400 KB DynamoDB item. */
export const MAX_STEP_RESULT_BYTES = 200_000;
/** The most all of a job's steps may keep together, leaving the rest of the 400 KB item to the record itself. */
export const MAX_STEPS_TOTAL_BYTES = 300_000;

export interface ResolvedSteps {
  readonly maxResultBytes: number;
  /** The job declares `steps`, or its `perform` reads as calling ctx.step / sleep / sleepUntil. */
  readonly used: boolean;
}

/** Resolves `steps` and refuses what cannot work: durable steps with no job state to keep them in. */
export function resolveSteps(
  input: Pick<JobOptions<never, unknown>, 'steps' | 'idempotency'> & { readonly perform?: unknown },
  problems: string[],
): ResolvedSteps {
  const declared = input.steps !== undefined;
  const max = input.steps?.maxResultBytes ?? DEFAULT_STEP_RESULT_BYTES;
  if (declared && (typeof input.steps !== 'object' || input.steps === null)) {
    problems.push('steps: expected an object ({ maxResultBytes? })');
  } else if (!Number.isInteger(max) || max < 1 || max > MAX_STEP_RESULT_BYTES) {
    problems.push(
      `steps.maxResultBytes: expected an integer from 1 to ${MAX_STEP_RESULT_BYTES}, received ${JSON.stringify(max)}`,
    );
  }
  const used = declared || callsDurableSteps(input.perform);
  if (used && input.idempotency === 'off') {
    problems.push(
      `idempotency: durable steps and sleeps keep their results on the job record, which 'off' does not write; use 'tracked' or 'exactly-once'${declared ? '' : ' (perform calls ctx.step, ctx.sleep or ctx.sleepUntil)'}`,
    );
  }
  return { maxResultBytes: Number.isInteger(max) ? max : DEFAULT_STEP_RESULT_BYTES, used };
}

/**
 * Whether `perform`'s source calls step, sleep or sleepUntil on its second parameter (the ctx), so a job with
 * `idempotency: 'off'` is refused at definition rather than dead-lettered at its first run. Read from the
 * function's text: it finds the ordinary forms (`ctx.step(`, a destructured `{ step }`, a minified `t.step(`),
 * and a run-time check refuses whatever it misses (engine/step-journal.ts).
 */
export function callsDurableSteps(perform: unknown): boolean {
  if (typeof perform !== 'function') return false;
  const source = Function.prototype.toString.call(perform);
  const params = /^[^(]*\(([^)]*)\)/.exec(source)?.[1];
  if (params === undefined) return false;
  const second = splitParams(params)[1]?.trim();
  if (!second) return false;
  if (second.startsWith('{')) return /\b(step|sleep|sleepUntil)\b/.test(second);
  const name = /^[A-Za-z_$][\w$]*/.exec(second)?.[0];
  if (!name) return false;
  const escaped = name.replace(/\$/g, '\\$');
  return new RegExp(`(^|[^\\w$.])${escaped}\\s*\\.\\s*(step|sleep|sleepUntil)\\s*\\(`).test(source);
}

/** Splits a parameter list at its top-level commas (a destructured first parameter has commas of its own). */
function splitParams(params: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of params) {
    if (char === '{' || char === '[' || char === '(') depth++;
    if (char === '}' || char === ']' || char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

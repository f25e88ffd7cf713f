import { ATTR } from './envelope.js';

/**
 * Characters SQS refuses in a String attribute value (anything outside its allowed Unicode ranges, so also lone
 * surrogates), and the C0/C1 control characters it would accept but a console would print as garbage.
 */
const UNPRINTABLE = /[^\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** What stands in for a character SQS would refuse: visible, so an operator sees that something was there. */
const REPLACEMENT = '\ufffd';

/**
 * The one attribute encoder: every message wharf sends (enqueue, retry, deferral, hop, dead letter, run now)
 * writes its attributes through this, so a job name or id from a producer other than our client (invariant 4)
 * can never make SQS refuse a re-send. Attributes are a readable copy for the console; the body keeps the
 * exact value, so nothing is lost by replacing a character here.
 */
export function attributeText(text: string, maxChars: number): string {
  const printable = text.replace(UNPRINTABLE, REPLACEMENT);
  // Cut at a code point, never inside a surrogate pair (which would itself be a character SQS refuses).
  const cut = printable.length > maxChars ? cutAt(printable, maxChars) : printable;
  return cut.length > 0 ? cut : REPLACEMENT;
}

function cutAt(text: string, maxChars: number): string {
  let end = Math.min(maxChars, text.length);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate whose pair would be cut off
  return text.slice(0, end);
}

/** Longest job name and id a wharf envelope may carry (the decoder's limits), and so an attribute's. */
export const MAX_JOB_NAME_CHARS = 256;
export const MAX_JOB_ID_CHARS = 512;

/** The attributes every wharf message carries beside its body: which job, which id, which attempt. */
export function jobAttributes(job: string, id: string, attempt: number): Record<string, string> {
  return {
    [ATTR.job]: attributeText(job, MAX_JOB_NAME_CHARS),
    [ATTR.jobId]: attributeText(id, MAX_JOB_ID_CHARS),
    [ATTR.attempt]: String(attempt),
  };
}

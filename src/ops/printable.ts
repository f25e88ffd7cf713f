// C0 and C1 control characters (ESC starts terminal escape sequences; 0x9b is an 8-bit CSI), DEL, the Unicode
// line separators, and the bidirectional overrides and isolates that make text read differently than it is
// stored ("Trojan Source"). Job content is untrusted: a payload or error message may carry any of them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const REPLACEMENT = '\ufffd';

/**
 * Text safe to show in a terminal or a page: control characters become U+FFFD, so the operator sees that
 * something was there without the terminal acting on it. Newlines and tabs stay only when `multiline` is set.
 */
export function printable(text: string, options: { readonly multiline?: boolean } = {}): string {
  if (options.multiline) return text.replace(UNSAFE, REPLACEMENT);
  return text.replace(/\r?\n/g, ' ⏎ ').replace(UNSAFE_OR_NEWLINE, REPLACEMENT);
}

const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for scripts and terminals: JSON.stringify already escapes C0 controls; this also escapes the characters
 * it leaves raw (C1, line separators, bidi controls), so the text stays valid JSON with the same value.
 */
export function safeJson(value: unknown, indent?: number): string {
  return (JSON.stringify(value, null, indent) ?? 'null').replace(
    JSON_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

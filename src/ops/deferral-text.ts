import type { DeferralNote, DeferralWhy } from '../store/types.js';

const WHY: Readonly<Record<DeferralWhy, string>> = {
  concurrency: 'concurrency limit',
  throttle: 'throttle',
  paused: 'paused',
  sleep: 'sleeping (ctx.sleep)',
};

/**
 * Why and until when a job waits without having run, as the CLI and the dashboard say it:
 * `put off: concurrency limit (key acct-1) until 16:40:05Z, 3 times`. The time is UTC, with the date when it is
 * not within a day of now.
 */
export function deferralText(note: DeferralNote, nowMs: number): string {
  const iso = new Date(note.untilMs).toISOString();
  const time = `${iso.slice(11, 19)}Z`;
  const until = Math.abs(note.untilMs - nowMs) < 86_400_000 ? time : `${iso.slice(0, 10)} ${time}`;
  const key = note.key !== undefined ? ` (key ${note.key})` : '';
  const times = note.count === 1 ? '1 time' : `${note.count} times`;
  return `put off: ${WHY[note.why] ?? note.why}${key} until ${until}, ${times}`;
}

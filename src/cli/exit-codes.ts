import { hasCode } from '../errors.js';

/**
 * What `wharf` exits with, so scripts can tell outcomes apart (documented in the README and `wharf --help`).
 */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Failed: AWS or the store refused, an unexpected error. */
  error: 1,
  /** Bad command line or input: unknown flag, invalid JSON, a payload the job's schema refuses, missing config. */
  usage: 2,
  /** Partly done: some of the selected dead letters failed, or some references matched none. */
  partial: 3,
  /** No job, batch, dead letter or schedule with that id. */
  notFound: 4,
  /**
   * An action, pause, resume or cancel was not confirmed (answered no, or no --yes without a terminal to ask on).
   */
  notConfirmed: 5,
  /** `cancel` stopped nothing: the job had ended, or it cannot be stopped where it is (the output says why). */
  notCancelled: 6,
  /** `wait`: the job had not ended by the timeout. */
  waitTimeout: 7,
  /** `wait`: the job ended without succeeding (dead, discarded, expired or cancelled). */
  jobFailed: 8,
} as const;

export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  failed (AWS or the job store refused, an unexpected error)
  2  usage: bad flags or input (invalid JSON, a payload the job's schema refuses, missing configuration)
  3  partly done: some selected dead letters failed, or some ids matched none
  4  not found: no job, batch, dead letter or schedule with that id
  5  not confirmed: a bulk action, pause, resume or cancel needs --yes (or a "y" at the prompt)
  6  not cancelled: the job had already ended, or cannot be stopped where it is (the output says why)
  7  wait: the job had not ended by the timeout
  8  wait: the job ended without succeeding (dead, discarded, expired or cancelled)`;

export function exitCodeFor(error: unknown): number {
  if (hasCode(error, 'WHARF_NOT_FOUND')) return EXIT.notFound;
  const usage = ['WHARF_INVALID_PAYLOAD', 'WHARF_INVALID_OPTIONS', 'WHARF_CONFIG'] as const;
  if (usage.some((code) => hasCode(error, code))) return EXIT.usage;
  return EXIT.error;
}

/** A failure the CLI itself decided on, with the exit code it should end with. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliExit';
  }
}

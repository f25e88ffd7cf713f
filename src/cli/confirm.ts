import { createInterface } from 'node:readline/promises';
import { CliExit, EXIT } from './exit-codes.js';
import type { Output } from './output.js';

/**
 * Bulk actions ask first: `--yes` answers for scripts; on a terminal the operator types "y"; anywhere else the
 * action is refused (exit 5) rather than assumed.
 */
export async function confirm(output: Output, question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!output.interactive) {
    throw new CliExit(EXIT.notConfirmed, `${question} Not confirmed: add --yes to do it without asking.`);
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new CliExit(EXIT.notConfirmed, 'Not confirmed: nothing was done.');
  } finally {
    prompt.close();
  }
}

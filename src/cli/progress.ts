import type { BulkProgress } from '../ops/types.js';
import type { Output } from './output.js';

export interface Progress {
  update(progress: BulkProgress): void;
  done(): void;
}

const WIDTH = 30;

/**
 * A progress bar on stderr for long redrives, drawn only on a terminal: in a pipe or with --json, stdout stays
 * clean for scripts and stderr stays free of carriage returns.
 */
export function progressBar(output: Output, verb: string): Progress {
  if (!output.interactive || output.json) return { update: () => undefined, done: () => undefined };
  let drawn = false;
  return {
    update({ queue, done, failed, total }) {
      const bar =
        total && total > 0
          ? `[${'#'.repeat(Math.min(WIDTH, Math.round((done / total) * WIDTH))).padEnd(WIDTH, '.')}] ${done}/${total}`
          : `${done}`;
      const failures = failed > 0 ? `, ${failed} failed` : '';
      process.stderr.write(`\r${verb} ${queue}: ${bar}${failures}\u001b[K`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

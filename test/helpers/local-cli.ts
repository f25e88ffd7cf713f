import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(resolve(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `wharf --local <app> ...` from source, run in the directory `cwd()` names (where `.wharf/` is kept, as in a
 * user's project), answering with its exit code and output instead of throwing.
 */
export function localWharf(app: string, cwd: () => string): (...args: string[]) => Promise<CliRun> {
  return (...args) =>
    new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', TSX, resolve(ROOT, 'src/cli/main.ts'), '--local', resolve(ROOT, app), ...args],
        { cwd: cwd(), timeout: 30_000 },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
}

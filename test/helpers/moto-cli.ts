import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { motoEndpoint } from './aws';
import type { CliRun } from './local-cli';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * `wharf ...` from source against moto server, with the WHARF_* variables `env()` gives (a world's queues and
 * table), answering with its exit code and output instead of throwing.
 */
export function motoWharf(
  env: () => Readonly<Record<string, string>>,
): (args: readonly string[], extra?: Readonly<Record<string, string>>) => Promise<CliRun> {
  return (args, extra = {}) =>
    new Promise((done) => {
      const flags = ['--endpoint-url', motoEndpoint(), '--region', 'us-east-1'];
      execFile(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', ...flags, ...args],
        { cwd: ROOT, env: { ...process.env, ...env(), ...extra }, timeout: 30_000 },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
}

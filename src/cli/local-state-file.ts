import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { ConfigError, errorMessage } from '../errors.js';
import { type LocalEngineState, parseLocalEngineState } from '../local/local-state.js';

/** Where `wharf --local <module>` keeps its engine between commands: `.wharf/` in the working directory. */
export function stateFileFor(modulePath: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, modulePath);
  // One file per app module; the hash keeps two modules of the same name apart.
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 8);
  return join(cwd, '.wharf', `local-${basename(absolute, extname(absolute))}-${hash}.json`);
}

export function readStateFile(file: string): LocalEngineState | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `The local state in ${shown(file)} is not JSON (${errorMessage(error)}): delete it, or pass --fresh, to start over.`,
    );
  }
  return parseLocalEngineState(json, shown(file));
}

/** Written to a temporary file first and renamed, so a command killed mid-write never leaves half a state. */
export function writeStateFile(file: string, state: LocalEngineState): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  renameSync(temporary, file);
}

export function removeStateFile(file: string): void {
  rmSync(file, { force: true });
}

export function shown(file: string): string {
  return relative(process.cwd(), file) || file;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const JOB_DIR = join(import.meta.dirname, '../../src/job');

/** Every `import ... from '...'` and `export ... from '...'` of a file, with whether it is type-only. */
function importsOf(text: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms;
  for (const match of text.matchAll(pattern))
    found.push({ specifier: match[3]!, typeOnly: match[2] !== undefined });
  for (const match of text.matchAll(/import\(\s*'([^']+)'\s*\)/g))
    found.push({ specifier: match[1]!, typeOnly: false });
  return found;
}

/**
 * job/ is the bottom layer (DESIGN, Shape): it may use its own files, errors.ts and clock.ts, and packages. Two
 * exceptions, type-only and so erased from the build: the registry holds the recurring tasks declared beside the
 * jobs, whose type lives with the schedule parsing in schedule/define-recurring.ts; and a job's `onFailure` and
 * `onDead` hooks are told a dead letter's reason, whose vocabulary is the envelope's (DeadLetterReason).
 */
function allowed(file: string, specifier: string, typeOnly: boolean): boolean {
  if (!specifier.startsWith('.')) return true;
  if (specifier.startsWith('./')) return true;
  if (specifier === '../errors.js' || specifier === '../clock.js') return true;
  if (file === 'hooks.ts') return typeOnly && specifier === '../envelope/envelope.js';
  return file === 'registry.ts' && typeOnly && specifier === '../schedule/define-recurring.js';
}

describe('src/job, the bottom layer', () => {
  const files = readdirSync(JOB_DIR).filter((name) => name.endsWith('.ts'));

  it('has files to check', () => {
    expect(files).toContain('define-job.ts');
  });

  it('imports nothing from the client, engine, dispatch, transport, store, schedule adapters or any other layer', () => {
    const reaching = files.flatMap((file) =>
      importsOf(readFileSync(join(JOB_DIR, file), 'utf8'))
        .filter(({ specifier, typeOnly }) => !allowed(file, specifier, typeOnly))
        .map(({ specifier }) => `${file} -> ${specifier}`),
    );
    expect(reaching).toEqual([]);
  });

  it('catches an import that reaches up (the scan itself works)', () => {
    const text =
      "import { x } from '../client/client.js';\nimport type {\n  Y,\n} from '../engine/types.js';";
    expect(importsOf(text).filter((i) => !allowed('define-job.ts', i.specifier, i.typeOnly))).toHaveLength(2);
  });
});

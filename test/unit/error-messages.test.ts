import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(c|m)?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The subpath modules a message may send users to, by import specifier. */
const SUBPATHS: Record<string, string> = {
  'wharf-jobs': 'src/index.ts',
  'wharf-jobs/aws': 'src/aws.ts',
  'wharf-jobs/local': 'src/local/index.ts',
  'wharf-jobs/testing': 'src/testing/index.ts',
  'wharf-jobs/lambda': 'src/lambda/index.ts',
  'wharf-jobs/worker': 'src/worker/index.ts',
  'wharf-jobs/ops': 'src/ops/index.ts',
};

describe('error messages and doc comments in src/', () => {
  it('name only README sections that exist', () => {
    const headings = new Set(
      readFileSync(join(ROOT, 'README.md'), 'utf8')
        .split('\n')
        .filter((line) => /^#{1,4} /.test(line))
        .map((line) => line.replace(/^#+ /, '').trim()),
    );
    const missing: string[] = [];
    for (const file of sources(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/README[ ,]+(?:section )?"([^"]+)"/g)) {
        if (!headings.has(match[1]!)) missing.push(`${relative(ROOT, file)}: README "${match[1]}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('send users to functions that the entry point they name exports', async () => {
    const claims: string[] = [];
    for (const file of sources(SRC)) {
      // "createAwsRuntime is in "wharf-jobs/aws"", "createLocalEngine({ registry }) from "wharf-jobs/local""
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b([a-z][A-Za-z]+)(?:\([^)]*\))? (?:is in|from) "(wharf-jobs[a-z/]*)"/g))
        claims.push(`${m[1]} ${m[2]}`);
    }
    expect(claims.length).toBeGreaterThan(0);
    const wrong: string[] = [];
    for (const claim of claims) {
      const [name, specifier] = claim.split(' ') as [string, string];
      const path = SUBPATHS[specifier];
      const module = path ? ((await import(join(ROOT, path))) as Record<string, unknown>) : {};
      if (typeof module[name] !== 'function') wrong.push(claim);
    }
    expect(wrong).toEqual([]);
  });

  it('never tell users to call createClient for performLater (producers use createAwsRuntime)', () => {
    const offenders = sources(SRC).filter((file) =>
      /setDefaultEnqueuer\(createClient/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((file) => relative(ROOT, file))).toEqual([]);
  });
});

import type ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Block,
  type BlockResult,
  checkBlocks,
  exportsOf,
  extractBlocks,
  isTypeScript,
  packageSpecifiers,
  readDocBlocks,
  STUBS,
  wharfExports,
} from './readme-blocks';

const DOCS = ['README.md', 'infra/README.md'];
const blocks = readDocBlocks(DOCS);
const label = (b: Block) => `${b.doc}:${b.line}${b.file ? ` (${b.file})` : ''}`;

// Blocks that must fail: they prove the check can. Compiled in the same program as the real ones.
const CANARIES = extractBlocks(
  'canary.md',
  [
    '```ts',
    "defineJob({ name: 'no-import', schema: undefined, perform() {} });", // wharf-jobs import missing
    '```',
    '```ts',
    "import { createRegistry } from 'wharf-jobs';",
    'createRegistry([sendWelcomeEmail], { recurringg: [] });', // a misspelt option
    '```',
    '```ts file=src/a.ts',
    'export const n: number = users.length;', // a complete file gets no stubs
    '```',
  ].join('\n'),
);

let results: Map<Block, BlockResult>;
let program: ts.Program;
beforeAll(() => {
  const checked = checkBlocks([...blocks, ...CANARIES], packageSpecifiers());
  results = new Map(checked.results.map((r) => [r.block, r]));
  program = checked.program;
}, 120_000);

describe('README TypeScript blocks', () => {
  it('finds the blocks of both documents, the walkthrough files among them', () => {
    const ts = blocks.filter(isTypeScript);
    expect(ts.filter((b) => b.doc === 'README.md').length).toBeGreaterThan(5);
    expect(ts.filter((b) => b.doc === 'infra/README.md').length).toBeGreaterThan(0);
    expect(ts.map((b) => b.file)).toEqual(expect.arrayContaining(['src/jobs.ts', 'infra/app.ts']));
  });

  it.each(blocks.filter(isTypeScript).map((b) => [label(b), b] as const))(
    '%s compiles as printed',
    (_, block) => {
      const result = results.get(block);
      expect(result?.problems, result?.problems.join('\n')).toEqual([]);
    },
  );

  it.each(blocks.filter((b) => b.lang === 'json' && b.file).map((b) => [label(b), b] as const))(
    '%s is valid JSON',
    (_, block) => {
      expect(() => JSON.parse(block.code)).not.toThrow();
    },
  );

  it('stubs only what belongs to the reader’s app: no name that wharf-jobs exports', () => {
    const wharf = wharfExports(program, packageSpecifiers());
    expect(wharf.has('defineJob')).toBe(true);
    expect([...exportsOf(program, STUBS)].filter((name) => wharf.has(name))).toEqual([]);
  });

  it('fails a block that misses a wharf-jobs import, misuses the API, or is a file= block using a stub', () => {
    const [noImport, typo, file] = CANARIES.map((b) => results.get(b)?.problems ?? []);
    expect(noImport).toEqual([expect.stringContaining("Cannot find name 'defineJob'")]);
    expect(typo?.join('\n')).toContain('recurringg');
    expect(file).toEqual([expect.stringContaining("Cannot find name 'users'")]);
  });
});

import { describe, expect, it } from 'vitest';

// wharf-jobs/cdk's ESM entry (entry.ts) lists the construct library's values by name after its peer check, while
// its types come from index.ts: a value added to index.ts but not to entry.ts would type-check for users and be
// undefined at run time.
describe('wharf-jobs/cdk entry', () => {
  it('exports every value the construct library exports, and nothing else', async () => {
    const library = await import('../../src/cdk/index');
    const entry = await import('../../src/cdk/entry');
    expect(Object.keys(entry).sort()).toEqual(Object.keys(library).sort());
    for (const name of Object.keys(library)) {
      expect(entry[name as keyof typeof entry]).toBe(library[name as keyof typeof library]);
    }
  });
});

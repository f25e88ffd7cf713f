import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderMarkdown } from './markdown';
import type { BenchResults } from './types';

export const RESULTS_DIR = resolve(import.meta.dirname, '../results');

/**
 * Writes latest.json (everything measured) and latest.md (the tables) under bench/results. A smoke run's tiny
 * counts mean nothing, so they go to a temporary directory and never over the committed results.
 */
export function writeResults(results: BenchResults): { readonly json: string; readonly markdown: string } {
  const dir = results.meta.smoke ? mkdtempSync(join(tmpdir(), 'wharf-bench-smoke-')) : RESULTS_DIR;
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const markdown = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(markdown, `${renderMarkdown(results)}\n`);
  return { json, markdown };
}

import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where every template a test synthesizes is written, for the cfn-lint project that runs last. */
    templatesToLint: string;
  }
}

// Global setups run in vitest's own process, once per project: its pid names one folder for the whole run, shared by
// the projects that synthesize and the cfn-lint project, and distinct from any other run on the machine.
const folder = join(tmpdir(), `wharf-templates-${process.pid}`);

export function setup(project: TestProject): void {
  mkdirSync(folder, { recursive: true });
  project.provide('templatesToLint', folder);
}

// Teardowns run when vitest closes, after every project's tests (a throw here would not fail the run, which is why
// the lint is a test of its own: test/lint/cfn-lint.test.ts). WHARF_KEEP_TEMPLATES=1 keeps the folder to look into.
export function teardown(): void {
  if (process.env.WHARF_KEEP_TEMPLATES) return;
  rmSync(folder, { recursive: true, force: true });
}

import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect, inject } from 'vitest';

/**
 * Every template the suite synthesizes goes through here, and the cfn-lint project (test/lint/cfn-lint.test.ts),
 * which runs after all others, lints them in one invocation. Identical templates are written once; `sources.ndjson`
 * keeps which tests synthesized each, so a finding names them.
 */

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const SOURCES_FILE = 'sources.ndjson';

/** One line of `sources.ndjson`: a template file of the folder and a test that synthesized it. */
interface TemplateSource {
  readonly file: string;
  readonly test: string;
}

/** `Template.fromStack`, and the template queued for cfn-lint. */
export function lintedTemplate(stack: Stack): Template {
  const template = Template.fromStack(stack);
  lintLater(template.toJSON(), stack.stackName);
  return template;
}

/** Queues every stack template of a cloud assembly (`cdk synth --output`, `app.synth()`) for cfn-lint. */
export function lintAssemblyLater(assemblyDir: string): void {
  const templates = readdirSync(assemblyDir).filter((f) => f.endsWith('.template.json'));
  if (templates.length === 0) throw new Error(`no *.template.json in the cloud assembly ${assemblyDir}`);
  for (const file of templates) {
    lintLater(
      JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')),
      file.replace(/\.template\.json$/, ''),
    );
  }
}

/** Queues one template (as CloudFormation reads it) for cfn-lint, named after its stack. */
export function lintLater(template: unknown, stackName: string): void {
  const folder = templatesFolder();
  const body = JSON.stringify(template, null, 1);
  const file = `${stackName}-${createHash('sha256').update(body).digest('hex').slice(0, 12)}.template.json`;
  if (!existsSync(join(folder, file))) writeFileSync(join(folder, file), body);
  const source: TemplateSource = { file, test: currentTest() };
  // One short line per append: concurrent test files never interleave within a line.
  appendFileSync(join(folder, SOURCES_FILE), `${JSON.stringify(source)}\n`);
}

function templatesFolder(): string {
  const folder = inject('templatesToLint');
  if (!folder) {
    throw new Error(
      "this test synthesizes a template, but its vitest project has no 'test/lint/global-setup.ts' in globalSetup",
    );
  }
  return folder;
}

/** `test/infra/grants.test.ts > grants > gives ...`, or the file alone in a beforeAll. */
function currentTest(): string {
  const { testPath, currentTestName } = expect.getState();
  const file = testPath ? relative(REPO_ROOT, testPath) : 'unknown test file';
  return currentTestName ? `${file} > ${currentTestName}` : file;
}

/** The templates queued in `folder` (their paths), each with the tests that synthesized it. */
export function queuedTemplates(folder: string): Map<string, string[]> {
  const sources = join(folder, SOURCES_FILE);
  const byFile = new Map<string, string[]>();
  if (!existsSync(sources)) return byFile;
  for (const line of readFileSync(sources, 'utf8').split('\n').filter(Boolean)) {
    const { file, test } = JSON.parse(line) as TemplateSource;
    const tests = byFile.get(join(folder, file)) ?? [];
    if (!tests.includes(test)) tests.push(test);
    byFile.set(join(folder, file), tests);
  }
  return byFile;
}

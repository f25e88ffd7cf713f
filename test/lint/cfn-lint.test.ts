import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { cfnLint, type Finding, unaccepted } from '../helpers/cfn-lint';
import { queuedTemplates } from '../helpers/templates-to-lint';

// The cfn-lint project runs after every other project of the run (sequence.groupOrder in vitest.config.ts), so the
// folder holds every template the run synthesized. With a file filter, include this folder to lint what ran:
// `npx vitest run test/infra test/lint`.

/** A queue no CloudFormation would create: an unknown property and a visibility timeout that is not a number. */
const BROKEN = {
  AWSTemplateFormatVersion: '2010-09-09',
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { Colour: 'blue', VisibilityTimeout: 'soon' } },
  },
};

const TEST_ROOT = resolve(import.meta.dirname, '..');
/** Not tests: the consumer project's own sources (package.test.ts lints what they synthesize), and the checkov app. */
const NOT_TESTS = [/^consumer\/fixture\//, /^lint\/fully-configured-app\.ts$/];

function testSources(dir: string = TEST_ROOT): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testSources(path);
    const file = relative(TEST_ROOT, path);
    if (!name.endsWith('.ts') || NOT_TESTS.some((p) => p.test(file))) return [];
    return [{ file, text: readFileSync(path, 'utf8') }];
  });
}

/** How a failing finding reads in the test's failure: rule, level, message, place, file, and who synthesized it. */
const describeFinding = (f: Finding, sources: ReadonlyMap<string, readonly string[]>) =>
  `${f.rule} (${f.level}) ${f.message} at ${f.path} in ${f.file}, synthesized by ${(sources.get(f.file) ?? ['?']).join('; ')}`;

describe('cfn-lint', () => {
  const folder = inject('templatesToLint');
  const broken = join(folder, 'broken-on-purpose.json');
  let sources: Map<string, string[]>;
  let findings: Finding[];

  beforeAll(async () => {
    sources = queuedTemplates(folder);
    writeFileSync(broken, JSON.stringify(BROKEN));
    // One invocation for the run's templates and the broken one, so the proof below is of this very run.
    const started = performance.now();
    findings = await cfnLint([...sources.keys(), broken]);
    const tests = new Set([...sources.values()].flat()).size;
    const kept = process.env.WHARF_KEEP_TEMPLATES ? `; kept in ${folder}` : '';
    console.log(
      `[cfn-lint] linted ${sources.size} distinct templates, synthesized by ${tests} tests, in ` +
        `${Math.round(performance.now() - started)} ms${kept}`,
    );
  }, 300_000);

  it('fails a deliberately broken queue, naming the rule, the property and the file', () => {
    const failing = unaccepted(findings.filter((f) => f.file === broken)).map((f) =>
      describeFinding(f, sources),
    );
    expect(failing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^E3002 \(Error\) .*'Colour' was unexpected.* at Resources\/Queue\/Properties\/Colour in /,
        ),
        expect.stringMatching(
          /^E3012 \(Error\) .*'soon'.* at Resources\/Queue\/Properties\/VisibilityTimeout in /,
        ),
      ]),
    );
    for (const line of failing) expect(line).toContain(broken);
  });

  it('finds no error, and no warning without a reason, in any template this run synthesized', (ctx) => {
    if (sources.size === 0) ctx.skip('no test of this run synthesized a template');
    const ours = findings.filter((f) => f.file !== broken);
    expect(unaccepted(ours).map((f) => describeFinding(f, sources))).toEqual([]);
    const counts = new Map<string, number>();
    for (const f of ours) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
    // What remains is accepted, each rule with its reason in ACCEPTED_WARNINGS.
    const accepted = [...counts].map(([rule, n]) => `${rule} x${n}`);
    console.log(`[cfn-lint] accepted warnings: ${accepted.join(', ') || 'none'}`);
  });

  it('sees every template the tests synthesize: no synth in test/ bypasses templates-to-lint', () => {
    const bypasses = testSources().flatMap(({ file, text }) => {
      if (file === 'helpers/templates-to-lint.ts') return [];
      // Template.fromStack only where synth is expected to fail; a cloud assembly (app.synth(), `cdk synth`, the
      // consumer's build/synth.js) only in a file that queues it.
      const direct = text
        .split('\n')
        .filter((line) => line.includes('Template.fromStack(') && !line.includes('.toThrow('))
        .map((line) => `${file}: ${line.trim()}`);
      const assembly = /\.synth\(|'synth'|synth\.js/.test(text) && !text.includes('lintAssemblyLater(');
      return assembly
        ? [...direct, `${file}: synthesizes a cloud assembly without lintAssemblyLater`]
        : direct;
    });
    expect(bypasses).toEqual([]);
  });
});

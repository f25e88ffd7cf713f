import { describe, expect, it } from 'vitest';
import { section, walkthroughSteps } from './readme-walkthrough';

const fence = '```';
const README = [
  '# tool',
  '## Start here',
  `${fence}sh`,
  'mkdir app && cd app',
  'npm install wharf-jobs zod      # zod, or valibot',
  `${fence}`,
  `${fence}ts file=src/jobs.ts`,
  "export const a = 'a';",
  `${fence}`,
  `${fence}ts`,
  'const notAFile = 1;',
  `${fence}`,
  `${fence}sh`,
  'node src/main.ts',
  'npm install -D aws-cdk-lib constructs',
  `${fence}`,
  '## Next',
  `${fence}ts file=src/other.ts`,
  `${fence}`,
  '',
].join('\n');

describe('the README walkthrough reader', () => {
  it('reads one section into files, installs and commands, in order', () => {
    const steps = walkthroughSteps(section(README, '## Start here') ?? '');
    expect(steps).toEqual([
      { kind: 'install', dev: false, packages: ['wharf-jobs', 'zod'], line: 'npm install wharf-jobs zod' },
      { kind: 'file', file: { lang: 'ts', path: 'src/jobs.ts', content: "export const a = 'a';\n" } },
      { kind: 'command', line: 'node src/main.ts' },
      {
        kind: 'install',
        dev: true,
        packages: ['aws-cdk-lib', 'constructs'],
        line: 'npm install -D aws-cdk-lib constructs',
      },
    ]);
  });

  it('has no section for a heading the README lacks', () => {
    expect(section(README, '## Missing')).toBeUndefined();
  });

  it('refuses a file that would land outside the project', () => {
    const escaping = `## S\n${fence}ts file=../outside.ts\nx\n${fence}\n`;
    expect(() => walkthroughSteps(escaping)).toThrow('must stay inside the project');
  });

  it('refuses an unclosed block rather than reading the rest of the README as code', () => {
    expect(() => walkthroughSteps(`## S\n${fence}ts file=a.ts\nx\n`)).toThrow('unclosed code block');
  });
});

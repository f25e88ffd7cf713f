// The README's "Your first job in your own project", read as a script: its ```ts file=PATH blocks are the files of
// the reader's new project, its ```sh blocks the commands they type, in order.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MANIFEST, NODES, npmInstall, pinned, REPO_NODE, runOk } from './kit';

export const WALKTHROUGH_HEADING = '## Your first job in your own project';

export interface FileBlock {
  readonly lang: string;
  readonly path: string;
  readonly content: string;
}

/** A step of the walkthrough: files to write, or one shell command. */
export type Step =
  | { readonly kind: 'file'; readonly file: FileBlock }
  | {
      readonly kind: 'install';
      readonly dev: boolean;
      readonly packages: readonly string[];
      readonly line: string;
    }
  | { readonly kind: 'command'; readonly line: string };

/** The text of one `## ` section, heading included; undefined when the README has no such section. */
export function section(markdown: string, heading: string): string | undefined {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) return undefined;
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown.slice(start + 1, next < 0 ? undefined : next + 1);
}

/** Every fenced block of `text`, in order, with its info string (`ts file=src/jobs.ts`, `sh`). */
export function fencedBlocks(text: string): Array<{ readonly info: string; readonly content: string }> {
  const blocks: Array<{ info: string; content: string }> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S.*)?$/.exec(lines[i]!);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j] !== '```') body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`unclosed code block: ${lines[i]}`);
    blocks.push({ info: (open[1] ?? '').trim(), content: `${body.join('\n')}\n` });
    i = j;
  }
  return blocks;
}

/** A `file=` block: the language and the project-relative path, which may not climb out of the project. */
export function fileBlock(info: string, content: string): FileBlock | undefined {
  const match = /^(\w+)\s+file=(\S+)$/.exec(info);
  if (!match) return undefined;
  const path = match[2]!;
  if (path.startsWith('/') || path.split('/').includes('..')) {
    throw new Error(`file=${path}: a walkthrough file must stay inside the project`);
  }
  return { lang: match[1]!, path, content };
}

const SHELL = new Set(['sh', 'bash', 'shell', 'console']);

/**
 * The walkthrough's steps. `mkdir` and `cd` are the test's to do (it makes the project folder); `npm install`
 * lines become install steps, so the test can put the packed tarball in for `wharf-jobs`; comments are dropped.
 */
export function walkthroughSteps(sectionText: string): Step[] {
  const steps: Step[] = [];
  for (const block of fencedBlocks(sectionText)) {
    const file = fileBlock(block.info, block.content);
    if (file) {
      steps.push({ kind: 'file', file });
      continue;
    }
    if (!SHELL.has(block.info)) continue;
    for (const raw of block.content.split('\n')) {
      for (const part of raw.replace(/\s+#.*$/, '').split('&&')) {
        const line = part.trim().replace(/^\$\s+/, '');
        if (line === '' || line.startsWith('#') || /^(mkdir|cd)\s/.test(line)) continue;
        const install = /^npm (?:install|i)\s+(.*)$/.exec(line);
        if (!install) {
          steps.push({ kind: 'command', line });
          continue;
        }
        const words = install[1]!.split(/\s+/);
        const dev = words.some((w) => w === '-D' || w === '--save-dev');
        steps.push({ kind: 'install', dev, packages: words.filter((w) => !w.startsWith('-')), line });
      }
    }
  }
  return steps;
}

/**
 * Follows the steps in `project`: on Node 24 every step in order (files, installs, commands), then the commands
 * again on Node 22 (not the npm ones: setup happens once). The packed tarball stands in for `wharf-jobs`, other
 * packages install at our pinned versions when we pin them. Returns each command's stdout by `<Node>: <line>`.
 */
export async function runWalkthrough(
  steps: readonly Step[],
  project: string,
  tarballPath: string,
): Promise<Map<string, string>> {
  mkdirSync(project, { recursive: true });
  const outputs = new Map<string, string>();
  // The CDK CLI's version check and telemetry would try hosts this machine cannot reach.
  const env = { CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' };
  for (const [index, node] of [REPO_NODE, ...NODES.filter((n) => n !== REPO_NODE)].entries()) {
    for (const step of steps) {
      if (step.kind === 'file' && index === 0) {
        mkdirSync(dirname(join(project, step.file.path)), { recursive: true });
        writeFileSync(join(project, step.file.path), step.file.content);
      } else if (step.kind === 'install' && index === 0) {
        const packages = step.packages.map((p) =>
          p === 'wharf-jobs' ? tarballPath : p in MANIFEST.devDependencies ? pinned(p) : p,
        );
        await npmInstall(project, [...(step.dev ? ['-D'] : []), ...packages]);
      } else if (step.kind === 'command' && (index === 0 || !step.line.startsWith('npm '))) {
        const result = await runOk('sh', ['-c', step.line], { cwd: project, node, env });
        outputs.set(`${node.name}: ${step.line}`, result.stdout);
      }
    }
  }
  return outputs;
}

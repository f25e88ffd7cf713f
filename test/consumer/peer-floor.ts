import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintAssemblyLater } from '../helpers/templates-to-lint';
import { createProject, MANIFEST, pinned, REPO_NODE, type RunResult, run } from './kit';
import { parseDiagnostics } from './tsc-diagnostics';

/*
 * The lowest aws-cdk-lib and constructs that package.json's peer ranges allow, and the projects that test them.
 * The floor is read from the ranges, so a lowered range is tested where it now points.
 *
 * How the floor was found (issue 13, src/cdk as of then): every aws-cdk-lib 2.x in a temporary project, bisected.
 * - tsc over src/cdk (tsconfig.cdk-sources.json's check): 2.200.0-2.223.0 lack `Runtime.NODEJS_24_X` (first in
 *   2.224.0); up to 2.250.0 there is no `Validations`; 2.251.0 has it without `acknowledge` (first in 2.252.0).
 * - synth of the consumer stack: 2.252.0-2.268.0 type-check but throw «InvalidValidationId» on the acknowledgement
 *   `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:...]`: they split a rule id at every `::`, even
 *   inside brackets; 2.269.0 reads `::` inside brackets as part of the rule name. Hence ^2.269.0.
 * - constructs: aws-cdk-lib 2.269.0 requires constructs ^10.5.0 (npm refuses 10.4 beside it). Hence ^10.5.0.
 * - cdk-nag 3.0.2, which reads the acknowledgements WharfJobs makes, requires aws-cdk-lib ^2.257.0 and constructs
 *   ^10.5.1; at 2.269.0 with it, the consumer stack shows only the finding WharfJobs leaves to the operator role.
 * The last test keeps the floor honest: the newest version below it must fail one of the two checks.
 */
function lowest(name: 'aws-cdk-lib' | 'constructs'): string {
  const range = MANIFEST.peerDependencies[name];
  const version = /^\^(\d+\.\d+\.\d+)$/.exec(range ?? '')?.[1];
  if (!version) throw new Error(`peerDependencies["${name}"] is "${range}": the floor test expects ^x.y.z`);
  return version;
}

export const FLOOR = { awsCdkLib: lowest('aws-cdk-lib'), constructs: lowest('constructs') } as const;

/** What the floor project installs: the tarball, the consumer's tools, aws-cdk-lib as asked, the constructs floor. */
export function floorPackages(tarball: string, awsCdkLib: string = FLOOR.awsCdkLib): string[] {
  const tools = ['zod', 'typescript', '@types/node', 'esbuild'].map(pinned);
  return [tarball, ...tools, `aws-cdk-lib@${awsCdkLib}`, `constructs@${FLOOR.constructs}`];
}

export function installedVersion(project: string, name: string): string {
  const manifest = readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** tsc over the shipped src/cdk: each error names the line of ours that uses what this aws-cdk-lib lacks. */
export async function cdkSourceErrors(project: string): Promise<string[]> {
  const tsc = join(project, 'node_modules/.bin/tsc');
  const result = await run(tsc, ['-p', 'tsconfig.cdk-sources.json', '--pretty', 'false'], {
    cwd: project,
    node: REPO_NODE,
  });
  const errors = parseDiagnostics(result.stdout + result.stderr).map((d) => d.text);
  if (result.code !== 0 && errors.length === 0) errors.push(`tsc exited ${result.code}: ${result.stderr}`);
  return errors;
}

/** `node build/synth.js <outdir>` (build/ is emitted by tsconfig.cdk.json). */
export function synthesize(project: string, outdir: string): Promise<RunResult> {
  return run('node', ['build/synth.js', outdir], { cwd: project, node: REPO_NODE });
}

/** Why a synth failed, without esbuild's progress lines: the error CDK threw and where. */
export function synthFailure(result: RunResult): string {
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .filter((l) => l && !l.startsWith('Bundling'));
  return lines.slice(0, 12).join('\n');
}

export interface BelowFloor {
  readonly version: string;
  readonly sourceErrors: readonly string[];
  readonly synth: RunResult;
}

/**
 * The newest aws-cdk-lib below the floor, in a project of its own with the floor project's compiled app: the
 * sources' type-check and the synth, for the test to require that one of them fails.
 */
export async function belowFloor(dir: string, tarball: string, floorProject: string): Promise<BelowFloor> {
  // --legacy-peer-deps: the tarball's own peer range refuses this aws-cdk-lib, which is the point.
  await createProject(dir, ['full', 'floor'], floorPackages(tarball, `<${FLOOR.awsCdkLib}`), [
    '--legacy-peer-deps',
  ]);
  cpSync(join(floorProject, 'build'), join(dir, 'build'), { recursive: true });
  const version = installedVersion(dir, 'aws-cdk-lib');
  const [sourceErrors, synth] = await Promise.all([
    cdkSourceErrors(dir),
    synthesize(dir, join(dir, 'cdk.out')),
  ]);
  // A broken install is no evidence about the API.
  if (/Cannot find (module|package)/.test(synth.stderr)) throw new Error(synthFailure(synth));
  // Expected to fail; should it synthesize after all, its template is linted like every other.
  if (synth.code === 0) lintAssemblyLater(join(dir, 'cdk.out'));
  return { version, sourceErrors, synth };
}

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { lintAssemblyLater } from '../helpers/templates-to-lint';
import { MINISTACK_ACCOUNT_ID } from './ministack';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const REGION = 'us-east-1';

export interface CdkRun {
  readonly endpoint: string;
  /** `cdk ... --app`: @default the one in cdk.json (infra/app.ts, the example app) */
  readonly app?: string;
}

/** The CDK CLI against the emulator: only the standard endpoint variable and fake credentials point it there. */
async function cdk(run: CdkRun, args: readonly string[]): Promise<string> {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: run.endpoint,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    // Node 24 for the CLI and the CDK app it runs.
    PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  };
  const appArgs = run.app ? ['--app', run.app] : [];
  try {
    const { stdout, stderr } = await promisify(execFile)('npx', ['cdk', ...args, ...appArgs], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `cdk ${args.join(' ')} failed:\n${String(stderr ?? '').slice(-4000)}${String(stdout ?? '').slice(-2000)}`,
    );
  }
}

export function cdkBootstrap(run: CdkRun): Promise<string> {
  return cdk(run, ['bootstrap', `aws://${MINISTACK_ACCOUNT_ID}/${REGION}`]);
}

export interface Deployed {
  /** The stack's outputs as `--outputs-file` wrote them. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The synthesized template, as deployed (its Outputs' descriptions name the WHARF_* variables). */
  readonly template: { readonly Outputs?: Record<string, { readonly Description?: string }> };
}

/**
 * `cdk deploy` with `--outputs-file`, its cloud assembly written where the test can read it and queued for
 * cfn-lint like every template the suite synthesizes. `context` is passed as `-c key=value`.
 */
export async function cdkDeploy(
  run: CdkRun,
  stackName: string,
  context: Readonly<Record<string, string>> = {},
): Promise<Deployed> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-e2e-cdk-'));
  const outputsFile = join(dir, 'outputs.json');
  const assembly = join(dir, 'cdk.out');
  await cdk(run, [
    'deploy',
    stackName,
    ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    '--require-approval',
    'never',
    '--outputs-file',
    outputsFile,
    '--output',
    assembly,
    '--progress',
    'events',
  ]);
  lintAssemblyLater(assembly);
  const outputs = JSON.parse(readFileSync(outputsFile, 'utf8'))[stackName] as Record<string, string>;
  const template = JSON.parse(readFileSync(join(assembly, `${stackName}.template.json`), 'utf8'));
  return { outputs, template };
}

export async function cdkDestroy(
  run: CdkRun,
  stackName: string,
  context: Readonly<Record<string, string>> = {},
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-e2e-cdk-'));
  const output = await cdk(run, [
    'destroy',
    stackName,
    ...Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    '--force',
    '--output',
    join(dir, 'cdk.out'),
  ]);
  lintAssemblyLater(join(dir, 'cdk.out'));
  return output;
}

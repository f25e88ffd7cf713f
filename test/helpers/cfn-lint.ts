import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** cfn-lint from the project's .venv, pinned and installed by scripts/ensure-moto.sh. */
export const CFN_LINT = resolve(import.meta.dirname, '../../.venv/bin/cfn-lint');

/**
 * The warnings our templates may carry, each with the reason it is harmless. Errors are never accepted: a template
 * with one fails the suite.
 */
export const ACCEPTED_WARNINGS: Readonly<Record<string, string>> = {
  W3005:
    "aws-cdk-lib's Function depends on its role construct, so DependsOn lists the role's default policy (the " +
    'dependency that matters: the function must not run before its permissions exist) and the role itself, which ' +
    'the GetAtt of its Arn already orders; the duplicate changes nothing in the deployment order.',
};

/** One cfn-lint match, as its JSON output has it. */
export interface Finding {
  readonly file: string;
  readonly rule: string;
  readonly level: 'Error' | 'Warning' | 'Informational';
  readonly message: string;
  /** Where in the template: `Resources/Queue/Properties/Colour`. */
  readonly path: string;
}

interface CfnLintMatch {
  readonly Filename: string;
  readonly Level: Finding['level'];
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: readonly (string | number)[] | null };
}

/**
 * Lints the templates in one cfn-lint process (its start takes a second or two) against us-east-1's resource
 * specification. cfn-lint exits with a bit mask (2 errors, 4 warnings, 8 informational, 1 cfn-lint failed itself);
 * the JSON list on stdout is what counts, and a failure of cfn-lint itself throws.
 */
export async function cfnLint(files: readonly string[]): Promise<Finding[]> {
  if (!existsSync(CFN_LINT)) {
    throw new Error(
      `cfn-lint not found at ${CFN_LINT}: run scripts/ensure-moto.sh (npm test does it for you)`,
    );
  }
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
    (done) =>
      execFile(
        CFN_LINT,
        ['--format', 'json', '--regions', 'us-east-1', '--', ...files],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, out, err) => done({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
      ),
  );
  if (code & 1 || code > 15) throw new Error(`cfn-lint failed (exit ${code}): ${stderr || stdout}`);
  return (JSON.parse(stdout || '[]') as CfnLintMatch[]).map((m) => ({
    file: m.Filename,
    rule: m.Rule.Id,
    level: m.Level,
    message: m.Message,
    path: (m.Location.Path ?? []).join('/'),
  }));
}

/** The findings that fail the suite: every error, and warnings whose rule is not in ACCEPTED_WARNINGS. */
export function unaccepted(findings: readonly Finding[]): Finding[] {
  return findings.filter((f) => f.level === 'Error' || !(f.rule in ACCEPTED_WARNINGS));
}

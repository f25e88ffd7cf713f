/** One `tsc --pretty false` error: `file(line,col): error TSnnnn: message`, continuation lines folded in. */
export interface Diagnostic {
  readonly file: string;
  readonly code: string;
  readonly text: string;
}

export function parseDiagnostics(output: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of output.split('\n')) {
    const match = /^(.+?)\(\d+,\d+\): error (TS\d+): /.exec(line);
    if (match) diagnostics.push({ file: match[1]!, code: match[2]!, text: line });
    else if (line.startsWith(' ') && diagnostics.length > 0) {
      const last = diagnostics.pop()!;
      diagnostics.push({ ...last, text: `${last.text}\n${line}` });
    } else if (/error TS\d+/.test(line)) diagnostics.push({ file: '(no file)', code: 'TS?', text: line });
  }
  return diagnostics;
}

/**
 * Errors inside other packages' declaration files that a consumer with `skipLibCheck: false` meets whatever we
 * ship. Each names the package, the codes and why; a rule that stops matching fails the test, so it is removed
 * once the package is fixed. Our own .d.ts (node_modules/wharf-jobs) and the consumer's code get no rule.
 */
export interface ThirdPartyRule {
  readonly pkg: string;
  readonly codes: readonly string[];
  /** Why it happens: printed with the count, so the test output explains itself. */
  readonly why: string;
}

export const KNOWN_THIRD_PARTY: readonly ThirdPartyRule[] = [
  {
    pkg: 'aws-cdk-lib',
    codes: ['TS2415', 'TS2420'],
    why:
      "aws-cdk-lib's classes declare `prop: T | undefined` where the interface they implement (or base class they " +
      'extend) says `prop?: T`: incompatible under exactOptionalPropertyTypes. Any CDK app with these settings ' +
      'sees them, with or without wharf-jobs.',
  },
];

export interface Classified {
  /** In the consumer's code or in wharf-jobs' declarations: must be none. */
  readonly ours: readonly Diagnostic[];
  /** In another package, matching no rule: must be none either. */
  readonly unknown: readonly Diagnostic[];
  /** Per rule, how many diagnostics it matched. */
  readonly known: ReadonlyMap<ThirdPartyRule, number>;
}

export function classify(diagnostics: readonly Diagnostic[]): Classified {
  const ours: Diagnostic[] = [];
  const unknown: Diagnostic[] = [];
  const known = new Map<ThirdPartyRule, number>();
  for (const d of diagnostics) {
    const pkg = packageOf(d.file);
    if (pkg === undefined || pkg === 'wharf-jobs') {
      ours.push(d);
      continue;
    }
    const rule = KNOWN_THIRD_PARTY.find((r) => r.pkg === pkg && r.codes.includes(d.code));
    if (rule) known.set(rule, (known.get(rule) ?? 0) + 1);
    else unknown.push(d);
  }
  return { ours, unknown, known };
}

/** `node_modules/@scope/name/x.d.ts` -> `@scope/name`; undefined outside node_modules. */
export function packageOf(file: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.replaceAll('\\', '/'));
  return match?.[1];
}

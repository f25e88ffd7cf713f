/**
 * How the WharfJobs construct's stack outputs carry the run-time configuration, and how `wharf env` reads it back.
 * Each output's description starts with the variable it feeds (`WHARF_QUEUE_URL_DEFAULT: URL of ...`), so the
 * CloudFormation console says what an output is for, and the CLI needs no second copy of the variable names: the
 * construct writes the names env-config.ts makes, and this module reads them as written. No AWS SDK here: the CDK
 * construct imports it too.
 */

/** A stack output as DescribeStacks returns it. */
export interface StackOutput {
  readonly OutputKey?: string;
  readonly OutputValue?: string;
  readonly Description?: string;
}

const VARIABLE_IN_DESCRIPTION = /^(WHARF_[A-Z0-9_]+): /;

/** The description of an output that feeds `variable`. */
export function outputDescription(variable: string, what: string): string {
  return `${variable}: ${what}`;
}

/** The WHARF_* variables a stack's outputs carry, by name, in output order. Other outputs are ignored. */
export function environmentFromOutputs(outputs: readonly StackOutput[]): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const output of outputs) {
    const variable = VARIABLE_IN_DESCRIPTION.exec(output.Description ?? '')?.[1];
    if (variable && output.OutputValue !== undefined) environment[variable] = output.OutputValue;
  }
  return environment;
}

/** `export NAME='value'` lines for a POSIX shell: `eval "$(wharf env --stack S)"`. */
export function exportLines(environment: Readonly<Record<string, string>>): string {
  return Object.entries(environment)
    .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
    .join('\n');
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `emails-high` -> `EmailsHigh`: the queue part of an output name (queue names are lowercase, digits and "-"). */
export function pascalCase(queue: string): string {
  return queue
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

import { readStackEnvironment } from '../ops/stack-environment.js';
import { exportLines } from '../ops/stack-outputs.js';
import { EXIT } from './exit-codes.js';
import type { Output } from './output.js';
import { printResult } from './output.js';

export interface EnvCommandOptions {
  readonly stack: string;
  readonly region?: string;
  readonly endpointUrl?: string;
}

/**
 * `wharf env --stack <StackName>`: the stack's outputs as `export WHARF_...=...` lines, so
 * `eval "$(npx wharf env --stack S)"` configures a shell (the CLI, a producer started from it) in one line.
 */
export async function envCommand(output: Output, o: EnvCommandOptions): Promise<number> {
  const environment = await readStackEnvironment({
    stackName: o.stack,
    ...(o.region ? { region: o.region } : {}),
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
  });
  printResult(output, environment, () => exportLines(environment));
  return EXIT.ok;
}

import { ConfigError } from '../errors.js';

/**
 * The part of `@aws-sdk/client-cloudformation` wharf uses: one DescribeStacks, for `wharf env`. The package is
 * an optional peer (an operator's tool), so it is typed here rather than imported, and loaded by name.
 */
export interface CloudFormationApi {
  CloudFormationClient: new (config: object) => CloudFormationClient;
  DescribeStacksCommand: new (input: { StackName: string }) => unknown;
}

/** A stack output as DescribeStacks returns it. */
export interface DescribedOutput {
  readonly OutputKey?: string;
  readonly OutputValue?: string;
  readonly Description?: string;
}

export interface CloudFormationClient {
  send(command: unknown): Promise<{ Stacks?: { Outputs?: DescribedOutput[] }[] }>;
  destroy(): void;
}

export async function loadCloudFormation(): Promise<CloudFormationApi> {
  // A variable specifier: bundlers of producer code must not pull the CloudFormation client in.
  const name = '@aws-sdk/client-cloudformation';
  try {
    return (await import(name)) as CloudFormationApi;
  } catch (error) {
    throw new ConfigError(
      `wharf env reads the stack's outputs with ${name}, which is not installed: npm install --save-dev ${name}`,
      { cause: error },
    );
  }
}

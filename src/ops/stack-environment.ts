import { ConfigError, errorMessage, NotFoundError } from '../errors.js';
import { environmentFromOutputs, type StackOutput } from './stack-outputs.js';

export interface StackEnvironmentOptions {
  /** The CloudFormation stack that holds a WharfJobs construct. */
  readonly stackName: string;
  /** @default the SDK's region chain (AWS_REGION, profile) */
  readonly region?: string;
  /** LocalStack, moto: wins over AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
}

interface CloudFormationModule {
  CloudFormationClient: new (
    config: object,
  ) => {
    send(command: unknown): Promise<{ Stacks?: { Outputs?: StackOutput[] }[] }>;
    destroy(): void;
  };
  DescribeStacksCommand: new (input: { StackName: string }) => unknown;
}

/**
 * The WHARF_* variables a deployed stack's outputs carry (see stack-outputs.ts), read with one DescribeStacks.
 * The CloudFormation client is loaded here only: an operator's tool, so a producer that never calls this does
 * not load it.
 */
export async function readStackEnvironment(
  options: StackEnvironmentOptions,
): Promise<Record<string, string>> {
  const sdk = await loadCloudFormation();
  const client = new sdk.CloudFormationClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  try {
    const { Stacks } = await client
      .send(new sdk.DescribeStacksCommand({ StackName: options.stackName }))
      .catch((error: unknown) => {
        if (/does not exist/.test(errorMessage(error)))
          throw new NotFoundError(`No stack "${options.stackName}": ${errorMessage(error)}`);
        throw error;
      });
    const environment = environmentFromOutputs(Stacks?.[0]?.Outputs ?? []);
    if (Object.keys(environment).length === 0) {
      throw new NotFoundError(
        `Stack "${options.stackName}" has no wharf outputs (none is described by a WHARF_* variable): is its ` +
          'WharfJobs construct deployed with outputs: false, or from a wharf-jobs release before stack outputs?',
      );
    }
    return environment;
  } finally {
    client.destroy();
  }
}

async function loadCloudFormation(): Promise<CloudFormationModule> {
  // A variable specifier: bundlers of producer code must not pull the CloudFormation client in.
  const name = '@aws-sdk/client-cloudformation';
  try {
    return (await import(name)) as CloudFormationModule;
  } catch (error) {
    throw new ConfigError(
      `wharf env reads the stack's outputs with ${name}, which is not installed: npm install --save-dev ${name}`,
      { cause: error },
    );
  }
}

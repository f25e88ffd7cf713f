import { errorMessage, NotFoundError } from '../errors.js';
import { createAwsClients } from '../runtime/aws-clients.js';
import { loadCloudFormation } from '../runtime/cloudformation-api.js';
import { importDynamoDBClass } from '../runtime/import-dynamodb-class.js';
import { environmentFromOutputs } from './stack-outputs.js';

export interface StackEnvironmentOptions {
  /** The CloudFormation stack that holds a WharfJobs construct. */
  readonly stackName: string;
  /** @default AWS_REGION, AWS_DEFAULT_REGION, then a profile's region; with none, ConfigError */
  readonly region?: string;
  /** LocalStack, moto: wins over AWS_ENDPOINT_URL_CLOUDFORMATION / AWS_ENDPOINT_URL. */
  readonly endpoint?: string;
}

/**
 * The WHARF_* variables a deployed stack's outputs carry (see stack-outputs.ts), read with one DescribeStacks.
 * The CloudFormation client is loaded on this call only: an operator's tool, so a producer that never calls
 * this does not load it.
 */
export async function readStackEnvironment(
  options: StackEnvironmentOptions,
): Promise<Record<string, string>> {
  const clients = createAwsClients({
    env: process.env,
    uses: ['cloudformation'],
    dynamodbClass: importDynamoDBClass,
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  try {
    const [sdk, client] = await Promise.all([loadCloudFormation(), clients.cloudFormation()]);
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
    clients.close();
  }
}

import { importOptionalPeer } from './optional-peer.js';

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

export function loadCloudFormation(): Promise<CloudFormationApi> {
  return importOptionalPeer<CloudFormationApi>(
    '@aws-sdk/client-cloudformation',
    "wharf env reads the stack's outputs",
  );
}

import { importOptionalPeer } from './optional-peer.js';

/**
 * The part of `@aws-sdk/client-lambda` wharf uses: listing a queue's event source mappings and switching them
 * off and on, for pausing a queue (ops). Only an operator's tool calls it, never a worker, so the package is an
 * optional peer, typed here rather than imported, and loaded by name, as `wharf env`'s CloudFormation client is.
 */
export interface LambdaApi {
  LambdaClient: new (config: object) => LambdaClient;
  ListEventSourceMappingsCommand: new (input: {
    EventSourceArn: string;
    Marker?: string;
    MaxItems?: number;
  }) => unknown;
  UpdateEventSourceMappingCommand: new (input: { UUID: string; Enabled: boolean }) => unknown;
  /** For `ops.stats()`: the worker's MemorySize, which its cost per run is priced at. */
  GetFunctionConfigurationCommand: new (input: {
    FunctionName: string;
  }) => unknown;
}

/** An event source mapping as ListEventSourceMappings and UpdateEventSourceMapping return it. */
export interface EventSourceMappingConfiguration {
  readonly UUID?: string;
  readonly EventSourceArn?: string;
  readonly FunctionArn?: string;
  /** Creating, Enabling, Enabled, Disabling, Disabled, Updating, Deleting. */
  readonly State?: string;
}

export interface LambdaClient {
  send(command: unknown): Promise<{
    EventSourceMappings?: EventSourceMappingConfiguration[];
    NextMarker?: string;
    UUID?: string;
    State?: string;
    FunctionArn?: string;
    MemorySize?: number;
  }>;
  destroy(): void;
}

export function loadLambda(): Promise<LambdaApi> {
  return importOptionalPeer<LambdaApi>(
    '@aws-sdk/client-lambda',
    'Pausing a queue switches its Lambda event source mappings off',
  );
}

/**
 * The Lambda REST API of an emulator (moto, ministack), as plain HTTP: the project pins no @aws-sdk/client-lambda
 * (no release at the SDK version it pins). Both emulators route on the credential scope of the Authorization
 * header and, without auth enabled, do not check signatures. One client for both, given the endpoint.
 */
const REGION = 'us-east-1';

/** A SigV4-shaped header naming the service and region, which is all the emulators read. */
export function emulatorAuthorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

export async function lambdaApi(
  endpoint: string,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, {
    ...init,
    headers: { authorization: emulatorAuthorization('lambda'), 'content-type': 'application/json' },
  });
  if (!response.ok)
    throw new Error(
      `Lambda API ${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`,
    );
  return response.json();
}

/** The fields of a function's configuration the tests read; the rest as the API returns them. */
export interface FunctionConfiguration {
  readonly FunctionName: string;
  readonly Runtime: string;
  readonly Timeout: number;
  readonly Environment?: { readonly Variables?: Record<string, string> };
  readonly LoggingConfig?: { readonly LogGroup?: string };
  readonly [field: string]: unknown;
}

export async function functionConfiguration(endpoint: string, name: string): Promise<FunctionConfiguration> {
  const body = (await lambdaApi(endpoint, `/2015-03-31/functions/${encodeURIComponent(name)}`)) as {
    Configuration: FunctionConfiguration;
  };
  return body.Configuration;
}

/** The fields of a Lambda event source mapping the tests look at. */
export interface EventSourceMapping {
  readonly UUID: string;
  readonly EventSourceArn: string;
  readonly FunctionArn: string;
  readonly BatchSize: number;
  readonly State: string;
  readonly FunctionResponseTypes?: readonly string[];
  readonly ScalingConfig?: { readonly MaximumConcurrency?: number };
}

export async function eventSourceMappings(
  endpoint: string,
  functionName: string,
): Promise<EventSourceMapping[]> {
  const body = (await lambdaApi(
    endpoint,
    `/2015-03-31/event-source-mappings/?FunctionName=${encodeURIComponent(functionName)}`,
  )) as { EventSourceMappings: EventSourceMapping[] };
  return body.EventSourceMappings;
}

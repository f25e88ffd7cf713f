/**
 * The Lambda and CloudWatch Logs APIs the end-to-end test reads, as plain HTTP: the project pins no
 * @aws-sdk/client-lambda or client-cloudwatch-logs (no release at the SDK version it pins). ministack routes on the
 * credential scope of the Authorization header and, without AUTH, does not check signatures.
 */
const REGION = 'us-east-1';

function authorization(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function lambdaApi(endpoint: string, path: string): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, { headers: { authorization: authorization('lambda') } });
  if (!response.ok)
    throw new Error(`Lambda API GET ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

export interface FunctionConfiguration {
  readonly FunctionName: string;
  readonly Runtime: string;
  readonly Timeout: number;
  readonly Environment?: { readonly Variables?: Record<string, string> };
  readonly LoggingConfig?: { readonly LogGroup?: string };
}

export async function functionConfiguration(endpoint: string, name: string): Promise<FunctionConfiguration> {
  const body = (await lambdaApi(endpoint, `/2015-03-31/functions/${encodeURIComponent(name)}`)) as {
    Configuration: FunctionConfiguration;
  };
  return body.Configuration;
}

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

export interface LogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
}

/** Every event of a log group (FilterLogEvents, all pages), optionally those containing `text`. */
export async function logEvents(endpoint: string, logGroupName: string, text?: string): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        authorization: authorization('logs'),
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.FilterLogEvents',
      },
      body: JSON.stringify({
        logGroupName,
        ...(text ? { filterPattern: `"${text}"` } : {}),
        ...(nextToken ? { nextToken } : {}),
      }),
    });
    if (!response.ok)
      throw new Error(`FilterLogEvents answered ${response.status}: ${await response.text()}`);
    const page = (await response.json()) as { events?: LogEvent[]; nextToken?: string };
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return text ? events.filter((e) => e.message.includes(text)) : events;
}

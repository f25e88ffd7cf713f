/**
 * The Lambda and CloudWatch Logs APIs the end-to-end test reads, as plain HTTP: the project pins no
 * @aws-sdk/client-lambda or client-cloudwatch-logs (no release at the SDK version it pins). The Lambda calls are
 * the shared emulator client (test/helpers/lambda-rest-api.ts); CloudWatch Logs is read here.
 */
import { emulatorAuthorization } from '../helpers/lambda-rest-api';

export {
  type EventSourceMapping,
  eventSourceMappings,
  type FunctionConfiguration,
  functionConfiguration,
} from '../helpers/lambda-rest-api';

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
        authorization: emulatorAuthorization('logs'),
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

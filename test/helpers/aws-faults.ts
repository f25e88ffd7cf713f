/**
 * Request-level faults for any AWS SDK v3 client, injected as SDK middleware, so that the library code under test
 * runs unchanged against the emulator and only the chosen requests misbehave.
 */

/** Where an injected fault meets the request. */
export type FaultMode =
  /** The request never reaches the service: it throws before anything is sent (an outage, a throttle). */
  | 'before'
  /**
   * The request reaches the service and is applied there, then the caller sees an error instead of the answer (a
   * lost response, a timeout after the write). Above the SDK's retry layer: the SDK does not send it again.
   */
  | 'after'
  /**
   * As 'after', but below the SDK's retry layer and with a retryable server error: the SDK sends the very same
   * request again, as it does when a response is lost in transit.
   */
  | 'after-retried';

export interface FaultRule {
  readonly mode: FaultMode;
  /** Which requests: by command name (`UpdateItemCommand`) and the command's input. */
  readonly matches: (commandName: string, input: unknown) => boolean;
}

export interface InjectedFault {
  /** How many more matching requests fail; set it to arm the fault again, 0 to disarm it. */
  remaining: number;
  /** Inputs of the matching requests that failed, in order. */
  readonly failed: unknown[];
  /** Inputs of every matching request that was sent to the service (an SDK retry counts again). */
  readonly sent: unknown[];
}

type Handler = (args: { readonly input?: unknown }) => Promise<unknown>;
type Middleware = (next: Handler, context: { readonly commandName?: string }) => Handler;
interface AddableStack {
  add(middleware: Middleware, options: { readonly step: string; readonly name: string }): void;
}

let injected = 0;

/** Fails the next `times` requests that `rule` matches, the way `rule.mode` says. */
export function injectFault<T extends { middlewareStack: object }>(
  client: T,
  rule: FaultRule,
  times = 1,
): InjectedFault {
  const fault: InjectedFault = { remaining: times, failed: [], sent: [] };
  const stack = client.middlewareStack as unknown as AddableStack;
  const middleware: Middleware = (next, context) => async (args) => {
    if (!rule.matches(context.commandName ?? '', args.input)) return next(args);
    const armed = fault.remaining > 0;
    if (armed) fault.remaining--;
    if (armed && rule.mode === 'before') {
      fault.failed.push(args.input);
      throw serviceUnavailable();
    }
    fault.sent.push(args.input);
    const result = await next(args);
    if (!armed) return result;
    fault.failed.push(args.input);
    throw rule.mode === 'after' ? lostResponse() : retryableServerError();
  };
  // 'initialize' runs once per call, above the retry middleware; 'deserialize' runs inside it, once per try.
  const step = rule.mode === 'after-retried' ? 'deserialize' : 'initialize';
  stack.add(middleware, { step, name: `wharfTestFault${++injected}` });
  return fault;
}

function serviceUnavailable(): Error {
  return Object.assign(new Error('Service unavailable (injected before the request was sent)'), {
    name: 'ServiceUnavailable',
    $fault: 'server',
    $metadata: {},
  });
}

function lostResponse(): Error {
  return Object.assign(new Error('socket hang up (injected after the service applied the request)'), {
    name: 'TimeoutError',
    code: 'ECONNRESET',
    $metadata: {},
  });
}

function retryableServerError(): Error {
  return Object.assign(new Error('We encountered an internal error (injected after the write landed)'), {
    name: 'InternalServerError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}

/** Values of a DynamoDB request's ExpressionAttributeValues and Item that are strings. */
function dynamoStrings(input: unknown): string[] {
  const shape = input as {
    ExpressionAttributeValues?: Record<string, { S?: string }>;
    Item?: Record<string, { S?: string }>;
  };
  return [...Object.values(shape?.ExpressionAttributeValues ?? {}), ...Object.values(shape?.Item ?? {})]
    .map((v) => v.S)
    .filter((s): s is string => typeof s === 'string');
}

/**
 * The job store's success write: the UpdateItem (or PutItem) that sets a job's status to `succeeded`. No claim,
 * failure or release write carries that value.
 */
export const successWrite = (mode: FaultMode): FaultRule => ({
  mode,
  matches: (command, input) =>
    (command === 'UpdateItemCommand' || command === 'PutItemCommand') &&
    dynamoStrings(input).includes('succeeded'),
});

/** SendMessageBatch or SendMessage to the queue with this URL. */
export const sendTo = (mode: FaultMode, queueUrl: string): FaultRule => ({
  mode,
  matches: (command, input) =>
    (command === 'SendMessageBatchCommand' || command === 'SendMessageCommand') &&
    (input as { QueueUrl?: string })?.QueueUrl === queueUrl,
});

/** EventBridge Scheduler's CreateSchedule. */
export const createSchedule = (mode: FaultMode): FaultRule => ({
  mode,
  matches: (command) => command === 'CreateScheduleCommand',
});

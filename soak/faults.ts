import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { SQSServiceException } from '@aws-sdk/client-sqs';
import type { Random } from './random';

/**
 * How an injected fault shows itself. Each is something AWS does at a low rate:
 * - `retried-error`: a throttle or 5xx that the SDK's own retry absorbs (thrown inside its retry loop);
 * - `error`: the same, but as wharf sees it once the SDK's retries are spent (thrown outside the loop, before
 *   anything is sent);
 * - `lost-response`: the request was applied, then the caller sees an error (a write that succeeded);
 * - `lost-response-retried`: the request was applied and the SDK sends it again (the response was lost in transit);
 * - `partial`: a batch call answers HTTP 200 with one entry in `Failed` (that entry was not applied).
 */
export const FAULT_KINDS = [
  'retried-error',
  'error',
  'lost-response',
  'lost-response-retried',
  'partial',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface InjectedFault {
  readonly service: Service;
  readonly command: string;
  readonly kind: FaultKind;
  readonly error: string;
  /** The job ids the request carried, where the request names them (DynamoDB keys, SQS bodies). */
  readonly jobIds: readonly string[];
}

export interface FaultOptions {
  /** Chance that one request (one `client.send`) gets a fault. */
  readonly rate: number;
  readonly random: Random;
  readonly onFault: (fault: InjectedFault) => void;
}

type Service = 'sqs' | 'dynamodb';

/** The error each service answers with, as the SDK would build it from the response. */
const ERRORS: Record<Service, readonly { name: string; fault: 'client' | 'server'; status: number }[]> = {
  sqs: [
    { name: 'ThrottlingException', fault: 'client', status: 400 },
    { name: 'InternalError', fault: 'server', status: 500 },
    { name: 'ServiceUnavailable', fault: 'server', status: 503 },
  ],
  dynamodb: [
    { name: 'ProvisionedThroughputExceededException', fault: 'client', status: 400 },
    { name: 'ThrottlingException', fault: 'client', status: 400 },
    { name: 'InternalServerError', fault: 'server', status: 500 },
  ],
};

const BATCH_COMMANDS = new Set([
  'SendMessageBatchCommand',
  'DeleteMessageBatchCommand',
  'ChangeMessageVisibilityBatchCommand',
]);

// Setup and read-back calls of the table are not what the soak is about.
const SPARED_COMMANDS = new Set(['CreateTableCommand', 'DescribeTableCommand', 'DescribeTimeToLiveCommand']);

interface Args {
  readonly input: Record<string, unknown>;
}
type Next = (args: Args) => Promise<{ output: Record<string, unknown>; response: unknown }>;
type Middleware = (next: Next, context: Record<string | symbol, unknown>) => Next;
interface Stack {
  add(middleware: Middleware, options: { step: string; name: string; priority?: string }): void;
}

/** The fault one request drew, kept on the request's context so the inner middleware can see it. */
const DRAWN = Symbol('soak fault');
interface Drawn {
  readonly kind: FaultKind;
  readonly error: (typeof ERRORS)[Service][number];
  fired: boolean;
}

/**
 * Adds two middlewares to an SDK client: one outside the SDK's retry loop (step `initialize`) that draws the fault
 * and raises the ones the caller sees, one inside it (step `deserialize`) that raises the ones the SDK retries.
 */
export function injectFaults(
  client: { middlewareStack: object },
  service: Service,
  options: FaultOptions,
): void {
  const stack = client.middlewareStack as unknown as Stack;
  stack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'unknown');
      if (SPARED_COMMANDS.has(command) || options.random() >= options.rate) return next(args);
      const kinds = FAULT_KINDS.filter((kind) => kind !== 'partial' || BATCH_COMMANDS.has(command));
      const drawn: Drawn = {
        kind: pick(options.random, kinds),
        error: pick(options.random, ERRORS[service]),
        fired: false,
      };
      options.onFault({
        service,
        command: command.replace(/Command$/, ''),
        kind: drawn.kind,
        error: drawn.kind === 'partial' ? 'InternalError (entry)' : drawn.error.name,
        jobIds: jobIdsOf(args.input),
      });
      switch (drawn.kind) {
        case 'error':
          throw serviceError(service, drawn.error);
        case 'lost-response':
          await next(args);
          throw serviceError(service, drawn.error);
        case 'partial':
          return failOneEntry(next, args, options.random);
        default:
          context[DRAWN] = drawn;
          return next(args);
      }
    },
    { step: 'initialize', name: 'soakFaultsOutside', priority: 'high' },
  );
  stack.add(
    (next, context) => async (args) => {
      const drawn = context[DRAWN] as Drawn | undefined;
      // Once per request: the SDK's retry then goes through, as it does when a fault is brief.
      if (!drawn || drawn.fired) return next(args);
      drawn.fired = true;
      if (drawn.kind === 'retried-error') throw serviceError(service, drawn.error);
      await next(args);
      throw serviceError(service, drawn.error);
    },
    { step: 'deserialize', name: 'soakFaultsInside' },
  );
}

function pick<T>(random: Random, choices: readonly T[]): T {
  return choices[Math.floor(random() * choices.length)]!;
}

function serviceError(service: Service, error: (typeof ERRORS)[Service][number]): Error {
  const options = {
    name: error.name,
    $fault: error.fault,
    $metadata: { httpStatusCode: error.status, attempts: 1, totalRetryDelay: 0 },
    message: `injected by the soak (${error.name})`,
  };
  return service === 'sqs' ? new SQSServiceException(options) : new DynamoDBServiceException(options);
}

/** HTTP 200 with one entry failed, as SQS answers under partial failure: that entry is not sent at all. */
async function failOneEntry(next: Next, args: Args, random: Random) {
  const entries = (args.input.Entries ?? []) as { Id?: string }[];
  const victim = entries[Math.floor(random() * entries.length)];
  const kept = entries.filter((entry) => entry !== victim);
  const failed = victim
    ? [{ Id: victim.Id, SenderFault: false, Code: 'InternalError', Message: 'injected by the soak' }]
    : [];
  const result =
    kept.length > 0
      ? await next({ ...args, input: { ...args.input, Entries: kept } })
      : { output: { $metadata: {}, Successful: [] }, response: undefined };
  const output = result.output as { Failed?: unknown[] };
  return { ...result, output: { ...result.output, Failed: [...(output.Failed ?? []), ...failed] } };
}

/** Job ids named by a DynamoDB key or item (`job#<id>`) or by SQS bodies (the envelope's `id`). */
function jobIdsOf(input: Record<string, unknown>): string[] {
  const key = (input.Key ?? input.Item) as { pk?: { S?: string } } | undefined;
  if (key?.pk?.S) return [key.pk.S.replace(/^job#/, '')];
  const bodies =
    typeof input.MessageBody === 'string'
      ? [input.MessageBody]
      : ((input.Entries ?? []) as { MessageBody?: unknown }[]).map((entry) => entry.MessageBody);
  return bodies.flatMap((body) => {
    if (typeof body !== 'string') return [];
    try {
      const id = (JSON.parse(body) as { id?: unknown }).id;
      return typeof id === 'string' ? [id] : [];
    } catch {
      return [];
    }
  });
}

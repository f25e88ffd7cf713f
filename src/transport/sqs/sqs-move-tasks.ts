import type { QueueUrls } from '../../config/env-config.js';
import { ConflictError, TransportError } from '../../errors.js';
import type { MoveTask, MoveTaskAdmin, MoveTaskStart, MoveTaskStatus } from '../admin-types.js';
import { describeError } from './batch-result.js';
import { queueAttributes } from './queue-attributes.js';
import {
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from './sqs-api.js';

// Error names with which endpoints turn down an action they do not implement (LocalStack, ElasticMQ before 1.6,
// proxies), and SQS's own answer for a queue that cannot be redriven this way (FIFO in some regions).
const UNSUPPORTED = new Set([
  'InvalidAction',
  'UnknownOperationException',
  'UnknownOperation',
  'NotImplemented',
  'NotImplementedException',
  'UnsupportedOperation',
  'AWS.SimpleQueueService.UnsupportedOperation',
]);

/**
 * SQS message move tasks: the server-side redrive of a whole DLQ, rate-limited, that survives the CLI exiting.
 * The destination is always given explicitly (the queue whose DLQ this is), never left to SQS to infer.
 */
export function createSqsMoveTasks(client: SQSClient, urls: (queue: string) => QueueUrls): MoveTaskAdmin {
  const arns = new Map<string, string>();
  const arnOf = async (url: string) => {
    const known = arns.get(url);
    if (known) return known;
    const arn = (await queueAttributes(client, url, ['QueueArn'])).QueueArn;
    if (!arn) throw new TransportError(`SQS returned no QueueArn for ${url}`);
    arns.set(url, arn);
    return arn;
  };
  // Probed once per admin: an endpoint without move tasks does not grow them, and each probe costs retries.
  let unsupportedWhy: string | undefined;
  /** The DLQ's tasks, or undefined when the endpoint has no move tasks. */
  const tasksOf = async (sourceArn: string): Promise<MoveTask[] | undefined> => {
    if (unsupportedWhy) return undefined;
    try {
      return await listTasks(client, sourceArn);
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (!isUnsupportedAction(cause)) throw error;
      unsupportedWhy = whyUnsupported(cause);
      return undefined;
    }
  };
  return {
    list: async (queue) => (await tasksOf(await arnOf(urls(queue).deadLetterUrl))) ?? [],
    async start(queue, { maxPerSecond }): Promise<MoveTaskStart> {
      const sourceArn = await arnOf(urls(queue).deadLetterUrl);
      const destinationArn = await arnOf(urls(queue).url);
      const tasks = await tasksOf(sourceArn);
      if (!tasks) return { kind: 'unsupported', why: unsupportedWhy ?? 'no move tasks' };
      const running = tasks.find((t) => t.status === 'RUNNING');
      if (running) {
        throw new ConflictError(
          `a move task is already running on the DLQ of "${queue}" (${running.moved} moved so far); SQS allows one ` +
            'active move task per queue: wait for it to finish, or cancel it in the SQS console',
        );
      }
      try {
        await client.send(
          new StartMessageMoveTaskCommand({
            SourceArn: sourceArn,
            DestinationArn: destinationArn,
            ...(maxPerSecond ? { MaxNumberOfMessagesPerSecond: maxPerSecond } : {}),
          }),
        );
      } catch (error) {
        if (isUnsupportedAction(error)) return { kind: 'unsupported', why: whyUnsupported(error) };
        throw new TransportError(`StartMessageMoveTask failed: ${describeError(error)}`, {
          cause: error,
        });
      }
      return { kind: 'started' };
    },
  };
}

async function listTasks(client: SQSClient, sourceArn: string): Promise<MoveTask[]> {
  try {
    const response = await client.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 10 }),
    );
    return (response.Results ?? []).map(toMoveTask);
  } catch (error) {
    throw new TransportError(`ListMessageMoveTasks failed: ${describeError(error)}`, {
      cause: error,
    });
  }
}

function toMoveTask(entry: ListMessageMoveTasksResultEntry): MoveTask {
  return {
    status: (entry.Status ?? 'RUNNING') as MoveTaskStatus,
    moved: Number(entry.ApproximateNumberOfMessagesMoved ?? 0),
    ...(entry.ApproximateNumberOfMessagesToMove !== undefined
      ? { toMove: Number(entry.ApproximateNumberOfMessagesToMove) }
      : {}),
    ...(entry.StartedTimestamp !== undefined ? { startedAtMs: Number(entry.StartedTimestamp) } : {}),
    ...(entry.FailureReason ? { failureReason: entry.FailureReason } : {}),
  };
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/**
 * True when the endpoint does not know the action. moto answers an HTML error page (status 500) that the SDK
 * cannot parse; others answer 501 or one of the codes above. A false positive only costs the slower
 * copy-then-delete path, which is just as safe, so the test leans towards falling back.
 */
export function isUnsupportedAction(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as SdkErrorShape;
  if (UNSUPPORTED.has(String(shape.name))) return true;
  if (shape.$metadata?.httpStatusCode === 501) return true;
  return shape.name === 'SyntaxError' || String(shape.message ?? '').includes('Deserialization error');
}

function whyUnsupported(error: unknown): string {
  return describeError(error).split('\n')[0]!.slice(0, 300);
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Service = 'sqs' | 'dynamodb' | 'scheduler';
/**
 * Who made a request. `esm` is Lambda's event source mapping (its receives and deletes are billed to the queue
 * owner like any other request); `scheduler` marks what EventBridge Scheduler does when a schedule fires.
 */
export type Actor = 'producer' | 'esm' | 'worker' | 'scheduler';

type Item = Record<string, AttributeValue>;

/** One DynamoDB write as sent, kept so write units can be worked out afterwards (see capacity.ts). */
export interface DynamoWrite {
  readonly table: string;
  readonly command: string;
  readonly key?: Item;
  readonly item?: Item;
  /** Attributes the write sets (PutItem: all of the item's; UpdateItem: the SET targets). */
  readonly setAttributes: readonly string[];
  /** Attributes an UpdateItem removes (REMOVE targets): leaving a sparse index is an index write too. */
  readonly removedAttributes: readonly string[];
  /** A failed condition still consumes write capacity, but changes no index. */
  readonly failed: boolean;
  /** A write inside TransactWriteItems: DynamoDB bills it twice (2 write units per KB). */
  readonly transactional?: boolean;
}

export interface DynamoRead {
  readonly table: string;
  readonly command: string;
  readonly consistent: boolean;
}

/** Every request the instrumented clients made, by actor, service and command; DynamoDB details besides. */
export class RequestLog {
  private readonly counts = new Map<string, number>();
  readonly writes: DynamoWrite[] = [];
  readonly reads: DynamoRead[] = [];

  add(actor: Actor, service: Service, command: string, n = 1): void {
    const key = `${actor} ${service} ${command}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  count(filter: { actor?: Actor; service?: Service; command?: string } = {}): number {
    let total = 0;
    for (const [key, n] of this.counts) {
      const [actor, service, command] = key.split(' ');
      if (filter.actor && filter.actor !== actor) continue;
      if (filter.service && filter.service !== service) continue;
      if (filter.command && filter.command !== command) continue;
      total += n;
    }
    return total;
  }

  /** `"esm sqs ReceiveMessage": 20`, sorted, for the JSON results. */
  breakdown(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

interface RequestArgs {
  readonly input?: Record<string, unknown>;
}
type Next = (args: RequestArgs) => Promise<unknown>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;

/**
 * Logs every HTTP attempt an AWS SDK v3 client makes: the middleware sits inside the SDK's retry loop
 * (finalizeRequest, low priority), because a retried request is billed again.
 */
export function instrument<T extends { middlewareStack: object }>(
  client: T,
  log: RequestLog,
  actor: Actor,
  service: Service,
): T {
  const stack = client.middlewareStack as unknown as { add(m: Middleware, options: object): void };
  const middleware: Middleware = (next, context) => async (args) => {
    const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
    log.add(actor, service, command);
    if (service !== 'dynamodb') return next(args);
    try {
      const output = await next(args);
      logDynamo(log, command, args.input ?? {}, false);
      return output;
    } catch (error) {
      // A transaction cancelled (a condition failed, or a conflict) is billed, but changes no item nor index.
      const name = (error as { name?: unknown } | null)?.name;
      const failed = name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
      logDynamo(log, command, args.input ?? {}, failed);
      throw error;
    }
  };
  stack.add(middleware, { step: 'finalizeRequest', priority: 'low', name: 'wharfBenchRequestLog' });
  return client;
}

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const READS = new Set(['GetItem']);

function logDynamo(log: RequestLog, command: string, input: Record<string, unknown>, failed: boolean): void {
  const table = String(input.TableName ?? '');
  if (WRITES.has(command)) {
    const item = input.Item as Item | undefined;
    const setAttributes = item ? Object.keys(item) : updateTargets(input);
    const removedAttributes = item ? [] : removeTargets(input);
    const key = input.Key as Item | undefined;
    log.writes.push({ table, command, key, item, setAttributes, removedAttributes, failed });
  } else if (READS.has(command)) {
    log.reads.push({ table, command, consistent: input.ConsistentRead === true });
  } else if (command === 'TransactWriteItems') {
    logTransaction(log, input, failed);
  } else {
    // Batch and transaction calls bill differently; neither side uses them, and guessing would hide a change.
    throw new Error(
      `request-log: DynamoDB ${command} is not modelled; add it to capacity.ts before measuring it`,
    );
  }
}

/**
 * Each Put and Update of a TransactWriteItems call, as a write billed at the transactional rate: the outbox's
 * Puts, and a batch child's count (its marker's Put and the batch record's Update, store/dynamodb/dynamodb-batches.ts).
 */
function logTransaction(log: RequestLog, input: Record<string, unknown>, failed: boolean): void {
  for (const entry of (input.TransactItems ?? []) as Record<string, Record<string, unknown>>[]) {
    const { Put: put, Update: update } = entry;
    if (Object.keys(entry).length !== 1 || !(put || update))
      throw new Error(
        `request-log: only Put and Update entries of TransactWriteItems are modelled, not ${Object.keys(entry).join(', ')}`,
      );
    if (put) {
      const item = put.Item as Item;
      log.writes.push({
        table: String(put.TableName ?? ''),
        command: 'PutItem',
        item,
        setAttributes: Object.keys(item),
        removedAttributes: [],
        failed,
        transactional: true,
      });
    } else if (update) {
      log.writes.push({
        table: String(update.TableName ?? ''),
        command: 'UpdateItem',
        key: update.Key as Item,
        setAttributes: updateTargets(update),
        removedAttributes: removeTargets(update),
        failed,
        transactional: true,
      });
    }
  }
}

/** The attribute names an UpdateExpression removes (`REMOVE #a, #b`), with placeholders resolved. */
function removeTargets(input: Record<string, unknown>): string[] {
  const expression = String(input.UpdateExpression ?? '');
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const removeClause = expression.split(/\bREMOVE\b/)[1]?.split(/\b(?:SET|ADD|DELETE)\b/)[0] ?? '';
  return removeClause
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .map((token) => (token.startsWith('#') ? (names[token] ?? token) : token));
}

/** The attribute names an UpdateExpression assigns with SET (`#a = ...`), with placeholders resolved. */
function updateTargets(input: Record<string, unknown>): string[] {
  const expression = String(input.UpdateExpression ?? '');
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const setClause = expression.split(/\b(?:REMOVE|ADD|DELETE)\b/)[0] ?? '';
  const targets: string[] = [];
  for (const match of setClause.replace(/^\s*SET\s+/, '').matchAll(/(?:^|,)\s*(#?[\w]+)\s*=/g)) {
    const token = match[1]!;
    targets.push(token.startsWith('#') ? (names[token] ?? token) : token);
  }
  return targets;
}

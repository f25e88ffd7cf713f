import { ConfigError } from '../errors.js';
import { LANE_NAME_PATTERN } from '../job/flow-control.js';
import { type LaneMap, laneTargets, type QueueLanes } from '../job/lanes.js';

/**
 * How a process finds its queues and table at run time. The CDK construct sets these variables on every
 * function it creates; producers in other services set them the same way (README "AWS, LocalStack, moto"), for
 * example from the stack's outputs with `wharf env --stack <StackName>`.
 *
 * - WHARF_TABLE_NAME            the job table
 * - WHARF_OUTBOX                `1` when the stack relays the job table's outbox (`outbox: true`): only then does
 *                               `client.transactItems` put entries there (README "Enqueue after commit")
 * - WHARF_QUEUE_URL_<QUEUE>     a queue's URL, QUEUE upper-cased with "-" as "_" (WHARF_QUEUE_URL_DEFAULT)
 * - WHARF_DLQ_URL_<QUEUE>       its dead-letter queue's URL
 * - WHARF_QUEUE                 in a worker function: the queue it serves
 * - WHARF_SCHEDULE_GROUP        the EventBridge Scheduler group for long delays and recurring tasks; when unset,
 *                               waits beyond 15 minutes hop through SQS
 * - WHARF_SCHEDULER_ROLE_ARN    the role Scheduler sends with (required with the group)
 * - WHARF_QUEUE_ARN_<QUEUE>     a queue's ARN (Scheduler's target) and
 * - WHARF_DLQ_ARN_<QUEUE>       its dead-letter queue's (Scheduler's DLQ). Optional: without them the ARNs are
 *                               read from the URLs (queueArnFromUrl), which is what the construct relies on to
 *                               keep a function's environment within Lambda's 4 KB. A FIFO queue has none and hops.
 * - WHARF_LANES_<QUEUE>         a queue's priority lanes and weights, its default lane first: `normal:3,high:6,low:1`.
 *                               The default lane is the queue itself (the variables above); each other lane has
 *                               WHARF_QUEUE_URL_<QUEUE>__<LANE> and WHARF_DLQ_URL_<QUEUE>__<LANE> (and the optional
 *                               ARN pair), and is the transport's queue `<queue>/<lane>` (job/lanes.ts).
 */
export interface WharfConfig {
  readonly tableName?: string;
  /** The stack relays the job table's outbox (WHARF_OUTBOX=1). */
  readonly outbox: boolean;
  /** By address: every queue, and every lane of a queue with lanes (`<queue>/<lane>`). */
  readonly queues: Readonly<Record<string, QueueUrls>>;
  /** The queues with lanes. */
  readonly lanes: LaneMap;
  readonly workerQueue?: string;
  readonly scheduler?: SchedulerConfig;
}

export interface SchedulerConfig {
  readonly groupName: string;
  readonly roleArn: string;
  /** Queues Scheduler can deliver to. */
  readonly queues: Readonly<Record<string, { readonly arn: string; readonly deadLetterArn: string }>>;
}

export interface QueueUrls {
  readonly url: string;
  readonly deadLetterUrl: string;
}

/** The variables of the contract that name no queue: the construct sets them, processes read them. */
export const ENV_VARIABLES = {
  tableName: 'WHARF_TABLE_NAME',
  outbox: 'WHARF_OUTBOX',
  workerQueue: 'WHARF_QUEUE',
  scheduleGroup: 'WHARF_SCHEDULE_GROUP',
  schedulerRoleArn: 'WHARF_SCHEDULER_ROLE_ARN',
  /** The CloudWatch namespace of the per-job-type metrics (README "Metrics"). @default Wharf */
  metricsNamespace: 'WHARF_METRICS_NAMESPACE',
  /** `off` turns the worker's EMF metrics off. @default on */
  metrics: 'WHARF_METRICS',
} as const;

const QUEUE_URL_PREFIX = 'WHARF_QUEUE_URL_';

/** `default` -> `DEFAULT`, `bulk-mail` -> `BULK_MAIL`; a lane's address `default/high` -> `DEFAULT__HIGH`. */
export function queueEnvSuffix(queue: string): string {
  return queue.toUpperCase().replace(/-/g, '_').replace('/', '__');
}

const LANES_PREFIX = 'WHARF_LANES_';

export function lanesVariable(queue: string): string {
  return `${LANES_PREFIX}${queueEnvSuffix(queue)}`;
}

/** The value of WHARF_LANES_<QUEUE>: the default lane first, so the variable alone says which it is. */
export function formatLanes(lanes: QueueLanes): string {
  const first = lanes.lanes.filter((l) => l.name === lanes.defaultLane);
  const rest = lanes.lanes.filter((l) => l.name !== lanes.defaultLane);
  return [...first, ...rest].map((l) => `${l.name}:${l.weight}`).join(',');
}

/** Reads WHARF_LANES_<QUEUE>; a malformed value is a problem named after its variable. */
export function parseLanes(variable: string, text: string, problems: string[]): QueueLanes | undefined {
  const lanes = text.split(',').map((part) => {
    const [name = '', weight = ''] = part.trim().split(':');
    return { name, weight: /^\d+$/.test(weight) ? Number(weight) : Number.NaN };
  });
  const bad = lanes.filter((l) => !LANE_NAME_PATTERN.test(l.name) || !(l.weight >= 1));
  if (lanes.length < 2 || bad.length > 0) {
    problems.push(
      `${variable}="${text}": expected two or more lanes as name:weight, the default lane first (normal:3,high:6,low:1)`,
    );
    return undefined;
  }
  return { lanes, defaultLane: lanes[0]!.name };
}

export function queueUrlVariable(queue: string): string {
  return `${QUEUE_URL_PREFIX}${queueEnvSuffix(queue)}`;
}

export function deadLetterUrlVariable(queue: string): string {
  return `WHARF_DLQ_URL_${queueEnvSuffix(queue)}`;
}

export function queueArnVariable(queue: string): string {
  return `WHARF_QUEUE_ARN_${queueEnvSuffix(queue)}`;
}

export function deadLetterArnVariable(queue: string): string {
  return `WHARF_DLQ_ARN_${queueEnvSuffix(queue)}`;
}

/** Reads the configuration for the given queues; reports every missing variable at once. */
export function configFromEnv(queues: readonly string[], env: NodeJS.ProcessEnv = process.env): WharfConfig {
  const missing: string[] = [];
  const malformed: string[] = [];
  const lanes: Record<string, QueueLanes> = {};
  const resolved: Record<string, QueueUrls> = {};
  const addresses: string[] = [];
  for (const queue of queues) {
    const declared = env[lanesVariable(queue)];
    const queueLanes = declared ? parseLanes(lanesVariable(queue), declared, malformed) : undefined;
    if (queueLanes) lanes[queue] = queueLanes;
    addresses.push(...laneTargets(queue, queueLanes).map((t) => t.address));
  }
  for (const address of addresses) {
    const url = env[queueUrlVariable(address)];
    const deadLetterUrl = env[deadLetterUrlVariable(address)];
    if (!url) missing.push(queueUrlVariable(address));
    if (!deadLetterUrl) missing.push(deadLetterUrlVariable(address));
    if (url && deadLetterUrl) resolved[address] = { url, deadLetterUrl };
  }
  const scheduler = schedulerFromEnv(addresses, env, missing);
  if (missing.length > 0 || malformed.length > 0) {
    const lines = missing.length > 0 ? [`Missing environment variables: ${missing.join(', ')}.`] : [];
    throw new ConfigError(
      `${[...lines, ...malformed].join(' ')} The wharf CDK construct sets them on its functions and on producers given to configureProducer(); elsewhere, eval "$(npx wharf env --stack <StackName>)" sets them from the stack's outputs.`,
    );
  }
  return {
    tableName: env[ENV_VARIABLES.tableName],
    outbox: env[ENV_VARIABLES.outbox] === '1',
    queues: resolved,
    lanes,
    workerQueue: env[ENV_VARIABLES.workerQueue],
    ...(scheduler ? { scheduler } : {}),
  };
}

/**
 * Scheduler settings when WHARF_SCHEDULE_GROUP is set. A queue's ARNs come as a pair or not at all; without
 * them they are derived from the queue's URLs, except for FIFO queues (Scheduler cannot use a FIFO dead-letter
 * queue, so their long waits hop through SQS).
 */
function schedulerFromEnv(
  queues: readonly string[],
  env: NodeJS.ProcessEnv,
  missing: string[],
): SchedulerConfig | undefined {
  const groupName = env[ENV_VARIABLES.scheduleGroup];
  if (!groupName) return undefined;
  const roleArn = env[ENV_VARIABLES.schedulerRoleArn];
  if (!roleArn) missing.push(ENV_VARIABLES.schedulerRoleArn);
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const arns: Record<string, { arn: string; deadLetterArn: string }> = {};
  for (const queue of queues) {
    const arn = env[queueArnVariable(queue)];
    const deadLetterArn = env[deadLetterArnVariable(queue)];
    if (arn && deadLetterArn) arns[queue] = { arn, deadLetterArn };
    else if (arn || deadLetterArn) missing.push(arn ? deadLetterArnVariable(queue) : queueArnVariable(queue));
    else {
      const derived = {
        arn: queueArnFromUrl(env[queueUrlVariable(queue)] ?? '', region),
        deadLetterArn: queueArnFromUrl(env[deadLetterUrlVariable(queue)] ?? '', region),
      };
      if (derived.arn && derived.deadLetterArn && !derived.arn.endsWith('.fifo')) {
        arns[queue] = { arn: derived.arn, deadLetterArn: derived.deadLetterArn };
      }
    }
  }
  return { groupName, roleArn: roleArn ?? '', queues: arns };
}

/** SQS's hosts: `sqs.<region>.amazonaws.com`, the legacy `<region>.queue.amazonaws.com`, and their `.cn` forms. */
const SQS_HOST = /^(?:sqs\.([a-z0-9-]+)\.amazonaws\.com|([a-z0-9-]+)\.queue\.amazonaws\.com)(\.cn)?$/;

/**
 * A queue's ARN from its URL, `https://sqs.<region>.amazonaws.com/<account>/<name>`: the URL names the account
 * and the queue, and the host the region. An emulator's URL (`http://localhost:4566/000000000000/jobs`) has no
 * region in its host, so `region` (the process's AWS_REGION) fills in. Undefined for anything else.
 */
export function queueArnFromUrl(url: string, region?: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const [account, name, ...rest] = parsed.pathname.split('/').filter((part) => part !== '');
  if (!account || !name || rest.length > 0 || !/^\d{12}$/.test(account)) return undefined;
  const host = SQS_HOST.exec(parsed.hostname);
  const inRegion = host ? (host[1] ?? host[2]) : region;
  if (!inRegion) return undefined;
  return `arn:${partitionOf(inRegion, host?.[3] !== undefined)}:sqs:${inRegion}:${account}:${name}`;
}

function partitionOf(region: string, chinaHost: boolean): string {
  if (chinaHost || region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/**
 * Every queue the environment names (WHARF_QUEUE_URL_<QUEUE> with its WHARF_DLQ_URL_<QUEUE>), for an operator
 * who has the stack's outputs but not the app's code: the inverse of `queueUrlVariable`. Names come back
 * lower-cased with "_" as "-", so a queue named with "_" or capitals needs the registry to be found by name. A
 * queue with lanes (WHARF_LANES_<QUEUE>) comes back with each of its lanes as `<queue>/<lane>`.
 */
export function queuesFromEnv(env: NodeJS.ProcessEnv): Record<string, QueueUrls> {
  const laneSuffixes = new Set<string>();
  for (const key of Object.keys(env)) {
    if (!key.startsWith(LANES_PREFIX) || !env[key]) continue;
    const queue = key.slice(LANES_PREFIX.length);
    for (const part of env[key]!.split(','))
      laneSuffixes.add(`${queue}__${queueEnvSuffix(part.split(':')[0] ?? '')}`);
  }
  const names = Object.keys(env)
    .filter((key) => key.startsWith(QUEUE_URL_PREFIX) && env[key])
    .map((key) => key.slice(QUEUE_URL_PREFIX.length))
    .filter((suffix) => !laneSuffixes.has(suffix))
    .map((suffix) => suffix.toLowerCase().replace(/_/g, '-'))
    .sort();
  if (names.length === 0) {
    throw new ConfigError(
      "No queues configured: set WHARF_QUEUE_URL_<QUEUE> and WHARF_DLQ_URL_<QUEUE> from the stack's outputs " +
        '(eval "$(npx wharf env --stack <StackName>)"), or pass --registry <module> with the WHARF_* variables of its queues.',
    );
  }
  return { ...configFromEnv(names, env).queues };
}

import { LANE_NAME_PATTERN } from './flow-control.js';

/**
 * Priority lanes: a queue declared with lanes is several SQS queues behind one logical queue name, consumed by
 * weight. The default lane is the queue itself (its URL, its construct, its dead-letter queue), so adding lanes to
 * a queue in use replaces nothing; every other lane is one more queue, addressed `<queue>/<lane>` wherever a
 * transport, a consumer or an operator names it ("/" never appears in a queue name, see QUEUE_NAME_PATTERN).
 */

/** How a queue declares its lanes: in the CDK construct's per-queue props and in the embedded engine's options. */
export interface LaneDeclaration {
  /**
   * The lanes and their weights (`{ high: 6, default: 3, low: 1 }`): of every ten receives with all three lanes
   * full, six take from `high`, three from `default`, one from `low`. Positive integers, at least two lanes.
   * @default - no lanes: one queue, and a `priority` at enqueue is refused
   */
  readonly lanes?: Readonly<Record<string, number>>;
  /**
   * The lane a job goes to when neither its enqueue nor its definition names one. It is the queue itself.
   * @default - the lane named "default" when there is one, else the first lane listed
   */
  readonly defaultLane?: string;
}

export interface Lane {
  readonly name: string;
  readonly weight: number;
}

/** A queue's lanes, resolved: the declared order kept, and the default lane named. */
export interface QueueLanes {
  readonly lanes: readonly Lane[];
  readonly defaultLane: string;
}

/** Lanes by logical queue name; a queue absent from it has none. */
export type LaneMap = Readonly<Record<string, QueueLanes>>;

/** One lane's queue as a transport sees it: its address, and its weight among the queue's lanes. */
export interface LaneTarget {
  readonly lane: string;
  readonly address: string;
  readonly weight: number;
}

export const MAX_LANE_WEIGHT = 1000;
const MAX_LANES = 10;

/** The transport-level name of a lane's queue: the queue's own name for its default lane. */
export function laneAddress(queue: string, lanes: QueueLanes, lane: string): string {
  return lane === lanes.defaultLane ? queue : `${queue}/${lane}`;
}

/** The logical queue of an address (`'default/high'` -> `'default'`; a plain queue name is its own). */
export function logicalQueueOf(address: string): string {
  const slash = address.indexOf('/');
  return slash < 0 ? address : address.slice(0, slash);
}

/** Every lane of a queue with its address, in declared order; a queue without lanes is its one target. */
export function laneTargets(queue: string, lanes: QueueLanes | undefined): LaneTarget[] {
  if (!lanes) return [{ lane: '', address: queue, weight: 1 }];
  return lanes.lanes.map((l) => ({
    lane: l.name,
    address: laneAddress(queue, lanes, l.name),
    weight: l.weight,
  }));
}

/** Every address of every queue: what a transport must know and a consumer may poll. */
export function allAddresses(queues: readonly string[], lanes: LaneMap | undefined): string[] {
  return queues.flatMap((queue) => laneTargets(queue, lanesOf(lanes, queue)).map((t) => t.address));
}

/** A queue's lanes; own properties only, so a queue named "constructor" finds none. */
export function lanesOf(lanes: LaneMap | undefined, queue: string): QueueLanes | undefined {
  return lanes && Object.hasOwn(lanes, queue) ? lanes[queue] : undefined;
}

/**
 * Checks a declaration; every problem is pushed onto `problems` (prefixed with `field`), none thrown. Undefined when
 * the queue declares no lanes, or when the declaration is unusable.
 */
export function resolveLanes(
  field: string,
  declaration: LaneDeclaration,
  problems: string[],
): QueueLanes | undefined {
  const { lanes, defaultLane } = declaration;
  if (lanes === undefined) {
    if (defaultLane !== undefined)
      problems.push(`${field}.defaultLane: given without lanes; declare lanes too`);
    return undefined;
  }
  const before = problems.length;
  const entries = typeof lanes === 'object' && lanes !== null ? Object.entries(lanes) : [];
  if (entries.length < 2 || entries.length > MAX_LANES)
    problems.push(
      `${field}.lanes: expected 2 to ${MAX_LANES} lanes ({ high: 6, default: 3, low: 1 }), received ${entries.length}: one lane is just the queue`,
    );
  for (const [name, weight] of entries) {
    if (!LANE_NAME_PATTERN.test(name))
      problems.push(
        `${field}.lanes: lane name ${JSON.stringify(name)} must be 1-20 lowercase letters, digits or "-", starting with a letter`,
      );
    if (!Number.isInteger(weight) || weight < 1 || weight > MAX_LANE_WEIGHT)
      problems.push(
        `${field}.lanes.${name}: weight must be an integer from 1 to ${MAX_LANE_WEIGHT}, received ${JSON.stringify(weight)}`,
      );
  }
  const names = entries.map(([name]) => name);
  const chosen = defaultLane ?? (names.includes('default') ? 'default' : names[0]);
  if (defaultLane !== undefined && !names.includes(defaultLane))
    problems.push(`${field}.defaultLane: "${defaultLane}" is not one of the lanes (${names.join(', ')})`);
  if (problems.length > before || chosen === undefined) return undefined;
  return { lanes: entries.map(([name, weight]) => ({ name, weight })), defaultLane: chosen };
}

/**
 * The address a job is sent to: the enqueue's `priority`, else the job's own, else the queue's default lane. A
 * lane the queue does not declare, or any priority on a queue without lanes, is a problem (nothing is sent).
 */
export function routeToLane(
  queue: string,
  lanes: QueueLanes | undefined,
  requested: { readonly enqueue?: unknown; readonly job?: string },
  problems: string[],
): string {
  const priority = requested.enqueue ?? requested.job;
  const from = requested.enqueue === undefined ? 'the job\'s "priority"' : '"priority"';
  if (priority === undefined) return queue;
  if (typeof priority !== 'string') {
    problems.push(`priority: expected a lane name, received ${JSON.stringify(priority)}`);
    return queue;
  }
  if (!lanes) {
    problems.push(
      `${from} "${priority}": queue "${queue}" declares no lanes, so it has no priority to choose (declare lanes on the queue, or drop "priority")`,
    );
    return queue;
  }
  if (!lanes.lanes.some((l) => l.name === priority)) {
    problems.push(
      `${from} "${priority}": queue "${queue}" has no such lane (its lanes: ${lanes.lanes.map((l) => l.name).join(', ')})`,
    );
    return queue;
  }
  return laneAddress(queue, lanes, priority);
}

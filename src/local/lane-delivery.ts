import { InvalidOptionsError } from '../errors.js';
import { LaneTurns } from '../job/lane-turns.js';
import {
  type LaneDeclaration,
  type LaneMap,
  laneTargets,
  type QueueLanes,
  resolveLanes,
} from '../job/lanes.js';

/** The lanes of a queue and whose turn it is; a queue without lanes is its one lane. */
export interface LaneDelivery {
  readonly addresses: readonly string[];
  readonly turns: LaneTurns;
}

export function laneDelivery(queue: string, lanes: QueueLanes | undefined): LaneDelivery {
  const targets = laneTargets(queue, lanes);
  return { addresses: targets.map((t) => t.address), turns: new LaneTurns(targets.map((t) => t.weight)) };
}

/** The embedded engine's `queues` option, checked: every problem at once, as the CDK construct reports them. */
export function lanesOfOptions(
  known: readonly string[],
  declarations: Readonly<Record<string, LaneDeclaration>>,
): LaneMap {
  const problems: string[] = [];
  const lanes: Record<string, QueueLanes> = {};
  for (const [queue, declaration] of Object.entries(declarations)) {
    if (!known.includes(queue))
      problems.push(`queues.${queue}: no job runs on queue "${queue}" (queues: ${known.join(', ')})`);
    const resolved = resolveLanes(`queues.${queue}`, declaration, problems);
    if (resolved) lanes[queue] = resolved;
  }
  if (problems.length > 0) throw new InvalidOptionsError('createLocalEngine options', problems);
  return lanes;
}

import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { queueEnvSuffix } from '../config/env-config.js';
import { laneAddress, type QueueLanes } from '../job/lanes.js';
import type { JobRegistry } from '../job/registry.js';
import { acknowledgeDeadLetterQueueFindings } from './nag-suppressions.js';
import type { QueueSettings } from './queue-settings.js';
import { createJobQueues, type QueueRemovalPolicies } from './queues.js';
import type { WharfQueueOptions } from './wharf-jobs-props.js';

/** The least MaximumConcurrency an SQS event source mapping accepts. */
export const MIN_LANE_CONCURRENCY = 2;

/** One lane's queues, beside the queue itself (which is the default lane). */
export interface LaneQueues {
  readonly lane: string;
  /** `<queue>/<lane>`: its name in the environment, the outputs, the alarms and the CLI. */
  readonly address: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

/**
 * Each lane but the default one gets a queue and a dead-letter queue of its own, with the queue's settings, under
 * `<queue>/Lanes/<lane>`. A dead-letter queue per lane, not one shared, so a redrive (a move task, or the copy
 * the CLI falls back to) returns every dead letter to the lane it came from without reading its body, and each
 * lane's dead letters can be counted, alarmed on and listed by themselves.
 */
export function createLaneQueues(
  scope: Construct,
  settings: QueueSettings,
  removal: QueueRemovalPolicies,
  encryptionKey: IKey | undefined,
): LaneQueues[] {
  const lanes = settings.lanes;
  if (!lanes) return [];
  const parent = new Construct(scope, 'Lanes');
  return lanes.lanes
    .filter((l) => l.name !== lanes.defaultLane)
    .map((l) => {
      const pair = createJobQueues(new Construct(parent, l.name), settings, removal, encryptionKey);
      acknowledgeDeadLetterQueueFindings(pair.deadLetterQueue);
      return { lane: l.name, address: laneAddress(settings.queue, lanes, l.name), ...pair };
    });
}

/**
 * Each lane's share of the queue's concurrency, by weight, summing to `total` exactly (largest remainder), so the
 * lanes together never exceed the queue's maxConcurrency (which stays within any reserved concurrency).
 */
export function laneShares(total: number, lanes: QueueLanes): Map<string, number> {
  const sum = lanes.lanes.reduce((a, l) => a + l.weight, 0);
  const exact = lanes.lanes.map((l) => ({ name: l.name, value: (total * l.weight) / sum }));
  const shares = exact.map((e) => ({ ...e, share: Math.floor(e.value) }));
  let left = total - shares.reduce((a, s) => a + s.share, 0);
  for (const s of [...shares].sort(
    (a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)),
  )) {
    if (left-- <= 0) break;
    s.share += 1;
  }
  return new Map(shares.map((s) => [s.name, s.share]));
}

/** The least maxConcurrency that gives every lane at least MIN_LANE_CONCURRENCY, if any up to 1000 does. */
function leastTotal(lanes: QueueLanes): number | undefined {
  for (let total = MIN_LANE_CONCURRENCY * lanes.lanes.length; total <= 1000; total++)
    if ([...laneShares(total, lanes).values()].every((s) => s >= MIN_LANE_CONCURRENCY)) return total;
  return undefined;
}

/** Synth-time checks of a queue's lanes against its other options and the jobs that run on it. */
export function laneProblems(
  settings: QueueSettings,
  options: WharfQueueOptions,
  registry: JobRegistry,
): string[] {
  const { queue, lanes } = settings;
  const problems: string[] = [];
  for (const job of registry.jobsOn(queue)) {
    const priority = job.options.flow?.priority;
    // An unusable declaration is reported by itself; the jobs are checked against the lanes once it is fixed.
    if (priority === undefined || (!lanes && options.lanes !== undefined)) continue;
    if (!lanes)
      problems.push(
        `job "${job.name}": its priority "${priority}" needs lanes on queue "${queue}", which declares none: set queues.${queue}.lanes, or drop the job's priority`,
      );
    else if (!lanes.lanes.some((l) => l.name === priority))
      problems.push(
        `job "${job.name}": its priority "${priority}" is not a lane of queue "${queue}" (its lanes: ${lanes.lanes.map((l) => l.name).join(', ')})`,
      );
  }
  if (!lanes) return problems;
  if (settings.fifo)
    problems.push(
      `queues.${queue}.lanes: a FIFO queue cannot have lanes: a message group keeps its order within one queue, and lanes would split it across several`,
    );
  if (options.existingQueues)
    problems.push(
      `queues.${queue}.lanes: lanes are created by WharfJobs, so they cannot be combined with existingQueues`,
    );
  const worker = settings.worker;
  if (worker?.maxConcurrency !== undefined && worker.maxConcurrency >= MIN_LANE_CONCURRENCY) {
    const shares = laneShares(worker.maxConcurrency, lanes);
    const short = lanes.lanes.filter((l) => (shares.get(l.name) ?? 0) < MIN_LANE_CONCURRENCY);
    if (short.length > 0) {
      const least = leastTotal(lanes);
      problems.push(
        `queues.${queue}.lanes: on Lambda each lane's event source mapping gets its share of maxConcurrency ${worker.maxConcurrency} by weight, ` +
          `and ${short.map((l) => `"${l.name}" (weight ${l.weight}) would get ${shares.get(l.name)}`).join(', ')}, below ${MIN_LANE_CONCURRENCY}, ` +
          `the least an event source mapping's MaximumConcurrency can be: ${least ? `raise maxConcurrency to at least ${least}, or ` : ''}bring the weights closer together`,
      );
    }
  }
  return problems;
}

/**
 * Two queues whose variables would share a name (queue "a--high" and lane "high" of queue "a" both read
 * WHARF_QUEUE_URL_A__HIGH): refused, as one would silently take the other's URL.
 */
export function laneNameClashes(settings: readonly QueueSettings[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const s of settings) {
    const addresses = s.lanes ? s.lanes.lanes.map((l) => laneAddress(s.queue, s.lanes!, l.name)) : [s.queue];
    for (const address of addresses) {
      const suffix = queueEnvSuffix(address);
      const other = seen.get(suffix);
      if (other !== undefined)
        problems.push(
          `queue "${address}" and queue "${other}" would both be WHARF_QUEUE_URL_${suffix}: rename the queue or the lane`,
        );
      else seen.set(suffix, address);
    }
  }
  return problems;
}

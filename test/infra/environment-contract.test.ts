import { describe, expect, it } from 'vitest';
import { configFromEnv, queuesFromEnv } from '../../src/config/env-config';
import { defaultBuilt, logicalId, templateOf, twoQueues } from './fixtures';

// Both directions of the environment contract live in src/config/env-config.ts: the construct encodes with its
// names, a worker decodes with its functions. Read back through the decoder, what the construct sets on a
// function must be a whole configuration, so a name spelt two ways cannot pass.
const registry = twoQueues();

/** A worker's environment as the function would see it: CloudFormation tokens stand in for their values. */
function workerEnvironment(queue: string): NodeJS.ProcessEnv {
  const built = defaultBuilt();
  const worker = built.jobs.workers[queue];
  if (!worker) throw new Error(`no worker for queue ${queue}`);
  const variables = templateOf(built).toJSON().Resources[logicalId(built, worker)].Properties.Environment
    .Variables as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

describe('the environment contract, from the construct to a process', () => {
  it.each(registry.queues)('decodes the %s worker’s environment into a whole configuration', (queue) => {
    const config = configFromEnv(registry.queues, workerEnvironment(queue));
    expect(config.workerQueue).toBe(queue);
    expect(config.tableName).toBeTruthy();
    expect(Object.keys(config.queues).sort()).toEqual([...registry.queues].sort());
    expect(config.scheduler?.groupName).toBe(defaultBuilt().jobs.scheduleGroupName);
    expect(Object.keys(config.scheduler?.queues ?? {}).sort()).toEqual([...registry.queues].sort());
  });

  it('names every queue for an operator who has only the environment (queuesFromEnv)', () => {
    expect(Object.keys(queuesFromEnv(workerEnvironment('default'))).sort()).toEqual(
      [...registry.queues].sort(),
    );
  });

  it('gives producers the same variables as workers, less the queue a worker serves', () => {
    const { WHARF_QUEUE: _served, NODE_OPTIONS: _node, ...shared } = workerEnvironment('emails');
    expect(Object.keys(defaultBuilt().jobs.environment).sort()).toEqual(Object.keys(shared).sort());
  });
});

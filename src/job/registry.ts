import { InvalidOptionsError } from '../errors';
import type { JobDefinition } from './define-job';

/** The set of jobs an app defines: feeds the workers, the CDK construct and the CLI. */
export interface JobRegistry {
  readonly jobs: readonly JobDefinition[];
  /** Queue names in first-seen order. */
  readonly queues: readonly string[];
  /** Looks up a job by name; never walks the prototype chain, so hostile names find nothing. */
  get(name: string): JobDefinition | undefined;
  jobsOn(queue: string): readonly JobDefinition[];
}

export function createRegistry(jobs: readonly JobDefinition[]): JobRegistry {
  const byName = new Map<string, JobDefinition>();
  const problems: string[] = [];
  for (const job of jobs) {
    if (byName.has(job.name)) problems.push(`job name "${job.name}" is defined twice`);
    byName.set(job.name, job);
  }
  if (problems.length > 0)
    throw new InvalidOptionsError('job registry', problems, 'WHARF_INVALID_DEFINITION');
  const queues = [...new Set(jobs.map((j) => j.options.queue))];
  return Object.freeze({
    jobs: [...jobs],
    queues,
    get: (name: string) => byName.get(name),
    jobsOn: (queue: string) => jobs.filter((j) => j.options.queue === queue),
  });
}

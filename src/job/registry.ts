import { InvalidOptionsError } from '../errors.js';
import type { RecurringTask } from '../schedule/define-recurring.js';
import type { JobDefinition } from './define-job.js';

/** The set of jobs an app defines: feeds the workers, the CDK construct and the CLI. */
export interface JobRegistry {
  readonly jobs: readonly JobDefinition[];
  /** Queue names in first-seen order. */
  readonly queues: readonly string[];
  /** Recurring tasks declared in code (`defineRecurring`): deployed by the CDK construct, fired locally. */
  readonly recurring: readonly RecurringTask[];
  /** Looks up a job by name; never walks the prototype chain, so hostile names find nothing. */
  get(name: string): JobDefinition | undefined;
  jobsOn(queue: string): readonly JobDefinition[];
}

export interface RegistryOptions {
  /** Recurring tasks, like Solid Queue's recurring.yml: each runs a job of this registry. @default none */
  readonly recurring?: readonly RecurringTask[];
}

export function createRegistry(jobs: readonly JobDefinition[], options: RegistryOptions = {}): JobRegistry {
  const byName = new Map<string, JobDefinition>();
  const problems: string[] = [];
  for (const job of jobs) {
    if (byName.has(job.name)) problems.push(`job name "${job.name}" is defined twice`);
    byName.set(job.name, job);
  }
  const recurring = options.recurring ?? [];
  problems.push(...taskRegistrationProblems(recurring, byName));
  if (problems.length > 0)
    throw new InvalidOptionsError('job registry', problems, 'WHARF_INVALID_DEFINITION');
  const queues = [...new Set(jobs.map((j) => j.options.queue))];
  return Object.freeze({
    jobs: [...jobs],
    queues,
    recurring: [...recurring],
    get: (name: string) => byName.get(name),
    jobsOn: (queue: string) => jobs.filter((j) => j.options.queue === queue),
  });
}

/** Problems of the registry's own (duplicate keys, jobs it does not hold); the construct checks deployment. */
function taskRegistrationProblems(
  tasks: readonly RecurringTask[],
  jobs: ReadonlyMap<string, JobDefinition>,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.task)) problems.push(`recurring task "${task.task}" is defined twice`);
    seen.add(task.task);
    if (jobs.get(task.job.name) !== task.job)
      problems.push(
        `recurring task "${task.task}" runs job "${task.job.name}", which is not in the registry`,
      );
  }
  return problems;
}

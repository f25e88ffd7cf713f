import type { InjectedFault } from './faults';

/**
 * What a soak worker prints, one JSON object per line on stdout. Engine events are cut down to what the driver
 * counts: a run that is killed prints nothing more, so the driver learns everything from lines as they come.
 */
export type WorkerLine =
  | { readonly type: 'ready'; readonly pid: number }
  | {
      readonly type: 'event';
      readonly event: string;
      readonly jobId?: string;
      readonly attempt?: number;
      /** Why, for the events that say: a dead letter's reason, a release's or a deferral's cause. */
      readonly detail?: string;
    }
  | ({ readonly type: 'fault' } & InjectedFault)
  | { readonly type: 'stopping' }
  | { readonly type: 'stopped' };

/** The environment a worker is started with; the WHARF_* variables are the ones the CDK construct sets. */
export const WORKER_ENV = {
  endpoint: 'SOAK_ENDPOINT',
  effectsFile: 'SOAK_EFFECTS_FILE',
  seed: 'SOAK_SEED',
  faultRate: 'SOAK_FAULT_RATE',
  concurrency: 'SOAK_CONCURRENCY',
  visibilitySeconds: 'SOAK_VISIBILITY_SECONDS',
} as const;

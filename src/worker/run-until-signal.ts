import type { Worker } from './worker.js';

export interface RunUntilSignalOptions {
  /** @default ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** How long running jobs get to finish before they are released to another worker. @default 30 000 */
  readonly graceMs?: number;
  /** @default console.error */
  readonly log?: (message: string) => void;
}

/**
 * Runs a worker until the process is asked to stop (a container's SIGTERM, Ctrl-C), then stops it gracefully:
 * no new messages, running jobs finish or are released, nothing is lost. Resolves once stopped.
 */
export async function runUntilSignal(worker: Worker, options: RunUntilSignalOptions = {}): Promise<void> {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const log = options.log ?? ((m: string) => console.error(m));
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    log(`[wharf worker] ${signal}: finishing ${worker.inFlight} running job(s), then stopping`);
    stopping = worker.stop(options.graceMs ?? 30_000);
  };
  // One handler per signal, naming it: the listener's own argument is not always the signal's name.
  const handlers = signals.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    await worker.run();
    await stopping;
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}

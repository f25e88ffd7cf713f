import type { PRICES } from '../../src/ops/prices';
import type { ColdStartFigure } from '../figures/cold-start';
import type { EmbeddedFigure } from '../figures/embedded';
import type { EnqueueRow } from '../figures/enqueue-throughput';
import type { EntryPointFigure } from '../figures/entry-points';
import type { RequestFigure } from '../figures/requests';
import type { WorkerFigure } from '../figures/worker-time';
import type { TargetCheck } from '../targets';

/** Everything one `npm run bench` measured: written to bench/results/latest.json, rendered to latest.md. */
export interface BenchResults {
  readonly meta: {
    readonly startedAt: string;
    readonly durationSeconds: number;
    readonly smoke: boolean;
    readonly node: string;
    readonly cpu: string;
    readonly cores: number;
    readonly emulator: string;
  };
  readonly prices: typeof PRICES;
  readonly requests: RequestFigure;
  readonly worker: WorkerFigure;
  readonly enqueue: readonly EnqueueRow[];
  readonly coldStart: ColdStartFigure;
  readonly embedded: EmbeddedFigure;
  readonly entryPoints: EntryPointFigure;
  readonly targets: readonly TargetCheck[];
}

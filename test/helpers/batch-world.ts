import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import type { JobStore } from '../../src/store/types';

// The jobs of the batch acceptance, shared by the embedded engine's test and moto's: an import of rows (some
// rows fail for good), a summary that reads its batch's counts, and a notification.

export interface BatchWorld {
  /** Runs of each row, by row number: a row delivered twice and run twice shows 2. */
  readonly rowRuns: Map<number, number>;
  readonly callbackRuns: {
    kind: string;
    importId: string;
    batchId?: string;
    succeeded?: number;
    dead?: number;
    /** Row runs that had ended when the callback ran. */
    rowRunsBefore: number;
  }[];
  /** Rows that throw (with one attempt, so they end dead). */
  readonly failing: Set<number>;
  /** Rows that add these rows to their own batch. */
  readonly adds: Map<number, number[]>;
  store?: JobStore;
}

export function newBatchWorld(): BatchWorld {
  return { rowRuns: new Map(), callbackRuns: [], failing: new Set(), adds: new Map() };
}

export function batchJobs(world: BatchWorld, queue = 'default') {
  const importRow = defineJob({
    name: 'import-row',
    queue,
    schema: z.object({ row: z.number().int() }),
    retry: { attempts: 1 },
    async perform({ row }, ctx) {
      world.rowRuns.set(row, (world.rowRuns.get(row) ?? 0) + 1);
      const more = world.adds.get(row);
      if (more) await ctx.batch?.add(more.map((r) => importRow.with({ row: r })));
      if (world.failing.has(row)) throw new Error(`row ${row} is malformed`);
    },
  });
  const callback = (kind: string) =>
    defineJob({
      name: kind,
      queue,
      schema: z.object({ importId: z.string() }),
      async perform({ importId }, ctx) {
        const batch = ctx.batch && (await world.store?.getBatch(ctx.batch.id, Date.now()));
        world.callbackRuns.push({
          kind,
          importId,
          rowRunsBefore: [...world.rowRuns.values()].reduce((a, b) => a + b, 0),
          ...(ctx.batch ? { batchId: ctx.batch.id } : {}),
          ...(batch ? { succeeded: batch.counts.succeeded, dead: batch.counts.dead } : {}),
        });
      },
    });
  return {
    importRow,
    notify: callback('notify'),
    summarize: callback('summarize'),
    alert: callback('alert'),
  };
}

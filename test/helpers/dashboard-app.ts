import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { z } from 'zod';
import { type Dashboard, startDashboard } from '../../src/dashboard/server';
import { createRegistry, defineJob } from '../../src/index';
import { createLocalEngine, createManualClock, type LocalEngine } from '../../src/local/index';
import { createLocalOps } from '../../src/ops/local-ops';
import { defineRecurring } from '../../src/schedule/define-recurring';

/** A parcel service that is down until the test says otherwise; effects are counted per job id. */
export const parcels = { down: true, delivered: new Map<string, number>() };

export const deliverParcel = defineJob({
  name: 'deliver-parcel',
  queue: 'parcels',
  schema: z.object({ parcelId: z.string(), note: z.string(), recipient: z.object({ phone: z.string() }) }),
  idempotency: 'exactly-once',
  retry: { attempts: 2, backoff: { strategy: 'fixed', delay: '30s' } },
  redact: ['recipient.phone'],
  perform: ({ parcelId }, ctx) => {
    if (parcels.down) throw new Error(`courier API refused parcel ${parcelId}: 503 Service Unavailable`);
    parcels.delivered.set(ctx.jobId, (parcels.delivered.get(ctx.jobId) ?? 0) + 1);
    return { delivered: parcelId };
  },
});

/** A recurring task, so the schedules page has something to show and run; one sweep at a time. */
export const sweepLockers = defineJob({
  name: 'sweep-lockers',
  queue: 'parcels',
  concurrency: { limit: 1 },
  schema: z.object({ area: z.string() }),
  perform: ({ area }) => ({ swept: area }),
});

export const hourlySweep = defineRecurring({
  task: 'hourly-sweep',
  job: sweepLockers,
  payload: { area: 'north' },
  schedule: 'every hour',
  description: 'empties lockers nobody collected',
});

export interface DashboardApp {
  readonly engine: LocalEngine;
  readonly dashboard: Dashboard;
  readonly audit: string[];
  close(): Promise<void>;
}

/** The dashboard over an embedded engine, as `wharf --local ... dashboard` runs it. */
export async function startDashboardApp(
  options: { readonly readOnly?: boolean } = {},
): Promise<DashboardApp> {
  const registry = createRegistry([deliverParcel, sweepLockers], { recurring: [hourlySweep] });
  const engine = createLocalEngine({
    registry,
    clock: createManualClock(Date.UTC(2026, 10, 25, 9)),
  });
  const audit: string[] = [];
  const dashboard = await startDashboard({
    ops: createLocalOps({ engine, registry }),
    afterAction: async () => void (await engine.runUntilIdle()),
    audit: (line) => audit.push(line),
    ...(options.readOnly ? { readOnly: true } : {}),
  });
  return {
    engine,
    dashboard,
    audit,
    close: async () => {
      await dashboard.close();
      engine.close();
    },
  };
}

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless, driven by playwright-core (.ci/run installs it). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

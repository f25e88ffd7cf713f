import type { LocalEngine } from 'wharf-jobs/local';
import { createInMemoryServices, useServices } from '../app/services';
import { enqueueDemoMix } from './mix';
import { startWebhookServer } from './webhook-server';

/**
 * The example app for `wharf --local functions/demo/local-app.ts <command>`: the CLI and dashboard on the
 * embedded engine, after the same morning as `npm start` (so there are dead letters to look at). The CLI keeps the
 * engine's state in .wharf/ between commands: `start` runs for every command, `seed` only for the first.
 */
export { registry } from '../registry';

/** What the jobs call, for every command: in-memory services and the demo's webhook receiver. */
export async function start(): Promise<() => Promise<void>> {
  const webhooks = await startWebhookServer();
  useServices(createInMemoryServices(webhooks.baseUrl));
  return () => webhooks.close();
}

export async function seed(engine: LocalEngine): Promise<undefined> {
  await enqueueDemoMix();
  await engine.runUntilIdle();
  return undefined;
}

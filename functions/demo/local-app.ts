import type { LocalEngine } from 'wharf-jobs/local';
import { createInMemoryServices, useServices } from '../app/services';
import { enqueueDemoMix } from './mix';
import { startWebhookServer } from './webhook-server';

/**
 * The example app for `wharf --local functions/demo/local-app.ts <command>`: the CLI and dashboard on the
 * embedded engine, after the same morning as `npm start` (so there are dead letters to look at).
 */
export { registry } from '../registry';

export async function seed(engine: LocalEngine): Promise<() => Promise<void>> {
  const webhooks = await startWebhookServer();
  useServices(createInMemoryServices(webhooks.baseUrl));
  await enqueueDemoMix();
  await engine.runUntilIdle();
  return () => webhooks.close();
}

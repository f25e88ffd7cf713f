import { parseArgs } from 'node:util';
import { systemClock } from 'wharf-jobs';
import { createFastForwardClock, createLocalEngine } from 'wharf-jobs/local';
import { createInMemoryServices, useServices } from '../app/services';
import { nightlyCleanupSchedule } from '../jobs/nightly-cleanup';
import { registry } from '../registry';
import { jobLogger, liveLog, reportLog, scheduleLog } from './live-log';
import { enqueueDemoMix } from './mix';
import { addInvoice, markInvoicePaid, openBillingDatabase, relaySqlOutbox } from './sql-outbox';
import { formatSummary } from './summary';
import { startWebhookServer } from './webhook-server';

// `npm start`: the example app on the embedded engine. No AWS, no Docker, no emulator: in-memory queues and store,
// a clock that jumps over waits (backoffs, delays), and a local HTTP server that the webhook job calls.
const { values } = parseArgs({ options: { 'keep-running': { type: 'boolean', default: false } } });
const keepRunning = values['keep-running'] === true;

const webhooks = await startWebhookServer();
const services = createInMemoryServices(webhooks.baseUrl);
useServices(services);
const clock = keepRunning ? systemClock : createFastForwardClock();
const startMs = clock.nowMs();
const engine = createLocalEngine({
  registry,
  clock,
  onEvent: liveLog(startMs),
  logger: jobLogger(),
  onSchedule: scheduleLog(startMs, registry.recurring),
  reportError: reportLog(),
  // The demo owns its process: its mix and its jobs enqueue with performLater, through this engine.
  installAsDefault: true,
});

console.log(
  'wharf example app on the embedded engine' +
    (keepRunning ? ' (real time; Ctrl-C to stop)' : ' (time fast-forwarded)'),
);
console.log(`queues: ${registry.queues.join(', ')} · jobs: ${registry.jobs.map((j) => j.name).join(', ')}\n`);
await enqueueDemoMix();
// Enqueue after commit on a SQL database (sql-outbox.ts): the payment and its webhook commit together, and the
// relay enqueues the webhook once the commit is done.
const billing = openBillingDatabase();
addInvoice(billing, 'inv_3', 12_900);
markInvoicePaid(billing, 'inv_3', clock.nowMs());
const relayed = await relaySqlOutbox(billing, engine.client, registry);

if (keepRunning) {
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  while (!stop.signal.aborted) {
    if ((await engine.tick()) === 0) await clock.sleep(200).catch(() => undefined);
  }
}
// Recurring tasks always have a next time: fast-forwarded, run until the nightly cleanup has fired once (its next
// 2am in Berlin); after Ctrl-C in real time, just finish what is queued.
const summary = await engine.runUntilIdle({
  until: keepRunning ? undefined : engine.scheduler.nextRecurringAtMs(nightlyCleanupSchedule.task),
});
console.log(`\n${formatSummary(summary)}\n`);
const deadLetters = registry.queues.flatMap((q) =>
  engine.transport.peekDeadLetters(q).map((m) => ({ queue: q, m })),
);
console.log(`dead letters: ${deadLetters.length}`);
for (const { queue, m } of deadLetters) {
  console.log(
    `  ${queue}: ${m.attributes['wharf.job']} ${m.attributes['wharf.id']} (${m.attributes['wharf.dlq.reason']}): ${m.attributes['wharf.dlq.error']}`,
  );
}
console.log(
  `emails sent: ${services.mailer.outbox.length} · users: ${services.users.all().length} · webhook deliveries accepted: ${webhooks.accepted.size} of ${webhooks.requests} requests`,
);
console.log(
  `sql outbox (node:sqlite): ${relayed.sent.join(', ') || 'nothing'} enqueued after its commit, ${relayed.failed.length} rows left`,
);
console.log(
  `simulated time ${(summary.simulatedMs / 3_600_000).toFixed(1)} h in ${summary.wallMs} ms of wall time · ${summary.messages} messages handled`,
);
engine.close();
billing.close();
await webhooks.close();

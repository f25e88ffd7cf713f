import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Enqueuer, JobEvent } from 'wharf-jobs';
import { createLocalEngine, type LocalEngine } from 'wharf-jobs/local';
import { createInMemoryServices, useServices } from '../../../functions/app/services';
import {
  addInvoice,
  InvoiceAlreadyPaidError,
  markInvoicePaid,
  openBillingDatabase,
  pendingOutboxRows,
  relaySqlOutbox,
} from '../../../functions/demo/sql-outbox';
import { startWebhookServer, type WebhookServer } from '../../../functions/demo/webhook-server';
import { registry } from '../../../functions/registry';

// The SQL outbox of the example app (functions/demo/sql-outbox.ts) on Node's own SQLite and the embedded engine.
describe('the SQL outbox (node:sqlite)', () => {
  let db: DatabaseSync;
  let engine: LocalEngine;
  let webhooks: WebhookServer;
  let events: JobEvent[];
  const runs = (jobId: string) => events.filter((e) => e.type === 'started' && e.jobId === jobId).length;

  beforeEach(async () => {
    webhooks = await startWebhookServer();
    useServices(createInMemoryServices(webhooks.baseUrl));
    events = [];
    engine = createLocalEngine({ registry, recurring: false, onEvent: (e) => events.push(e) });
    db = openBillingDatabase();
    addInvoice(db, 'inv_1', 4_200);
  });
  afterEach(async () => {
    engine.close();
    db.close();
    await webhooks.close();
  });

  it("enqueues the webhook once the payment commits, with the outbox row's id as the job id", async () => {
    markInvoicePaid(db, 'inv_1', engine.clock.nowMs());
    await engine.runUntilIdle();
    expect(runs('invoice-paid:inv_1')).toBe(0);
    expect(await relaySqlOutbox(db, engine.client, registry)).toEqual({
      sent: ['invoice-paid:inv_1'],
      failed: [],
    });
    expect(pendingOutboxRows(db)).toBe(0);
    await engine.runUntilIdle();
    expect([...webhooks.accepted.keys()]).toEqual(['invoice-paid:inv_1']);
    expect(JSON.parse(webhooks.accepted.get('invoice-paid:inv_1')!.body)).toEqual({
      event: 'invoice.paid',
      data: { invoiceId: 'inv_1' },
    });
  });

  it('enqueues nothing for a payment that rolls back', async () => {
    markInvoicePaid(db, 'inv_1', engine.clock.nowMs());
    await relaySqlOutbox(db, engine.client, registry);
    await engine.runUntilIdle();
    // Paying it again fails inside the transaction: its outbox row is rolled back with it.
    expect(() => markInvoicePaid(db, 'inv_1', engine.clock.nowMs())).toThrow(InvoiceAlreadyPaidError);
    expect(() => markInvoicePaid(db, 'inv_unknown', engine.clock.nowMs())).toThrow(InvoiceAlreadyPaidError);
    expect(pendingOutboxRows(db)).toBe(0);
    expect(await relaySqlOutbox(db, engine.client, registry)).toEqual({ sent: [], failed: [] });
    await engine.runUntilIdle();
    expect(webhooks.accepted.size).toBe(1);
  });

  it('runs the job once when the relay runs twice: the first deleted the row', async () => {
    markInvoicePaid(db, 'inv_1', engine.clock.nowMs());
    await relaySqlOutbox(db, engine.client, registry);
    expect((await relaySqlOutbox(db, engine.client, registry)).sent).toEqual([]);
    await engine.runUntilIdle();
    const succeeded = events.filter((e) => e.type === 'succeeded' && e.jobId === 'invoice-paid:inv_1');
    expect(succeeded).toHaveLength(1);
  });

  it('keeps a row whose enqueue failed, and the next relay sends it under the same job id', async () => {
    markInvoicePaid(db, 'inv_1', engine.clock.nowMs());
    const down: Enqueuer = {
      enqueue: async () => {
        throw new Error('SQS unreachable');
      },
      enqueueMany: async () => {
        throw new Error('SQS unreachable');
      },
    };
    expect(await relaySqlOutbox(db, down, registry)).toEqual({ sent: [], failed: ['invoice-paid:inv_1'] });
    expect(pendingOutboxRows(db)).toBe(1);
    expect((await relaySqlOutbox(db, engine.client, registry)).sent).toEqual(['invoice-paid:inv_1']);
    await engine.runUntilIdle();
    expect([...webhooks.accepted.keys()]).toEqual(['invoice-paid:inv_1']);
  });
});

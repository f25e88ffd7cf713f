import { DatabaseSync } from 'node:sqlite';
import type { Enqueuer, JobRegistry } from 'wharf-jobs';
import { dispatchWebhook } from '../jobs/dispatch-webhook';

// Enqueue after commit when the app's database is SQL (README "Enqueue after commit"), with Node's own SQLite
// driver: the job goes in an outbox table in the same transaction as the app's write, and a relay enqueues each
// outbox row after the commit, with the row's id as the job id, then deletes the row. A crash between the enqueue
// and the delete leaves the row, and relaying it again enqueues the same job id: an exactly-once job runs once,
// and a tracked one (this webhook) is delivered under the same idempotency key, which its receiver dedupes.

/** A billing database: invoices, and the outbox its transactions write jobs to. */
export function openBillingDatabase(path = ':memory:'): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec(`
    CREATE TABLE IF NOT EXISTS invoices (id TEXT PRIMARY KEY, cents INTEGER NOT NULL, paid_at INTEGER);
    CREATE TABLE IF NOT EXISTS wharf_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      job TEXT NOT NULL,
      payload TEXT NOT NULL
    );
  `);
  return db;
}

export function addInvoice(db: DatabaseSync, id: string, cents: number): void {
  db.prepare('INSERT INTO invoices (id, cents) VALUES (?, ?)').run(id, cents);
}

export class InvoiceAlreadyPaidError extends Error {
  override name = 'InvoiceAlreadyPaidError';
}

/**
 * Marks an invoice paid and, in the same transaction, puts the webhook that tells billing in the outbox: both
 * commit, or neither does. Enqueueing here instead would send a job for a payment that may still roll back.
 */
export function markInvoicePaid(db: DatabaseSync, invoiceId: string, nowMs: number): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    const paid = db
      .prepare('UPDATE invoices SET paid_at = ? WHERE id = ? AND paid_at IS NULL')
      .run(nowMs, invoiceId);
    if (paid.changes === 0)
      throw new InvoiceAlreadyPaidError(`invoice ${invoiceId} is paid already, or unknown`);
    const job = dispatchWebhook.with({ endpointId: 'billing', event: 'invoice.paid', data: { invoiceId } });
    db.prepare('INSERT INTO wharf_outbox (id, job, payload) VALUES (?, ?, ?)').run(
      `invoice-paid:${invoiceId}`,
      job.job.name,
      JSON.stringify(job.payload),
    );
    db.exec('COMMIT');
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * The relay: run it right after each commit (the commit hook), and now and then for the rows a crash left behind.
 * Each row is enqueued with its id as the job id, then deleted; a row whose enqueue failed stays for the next run.
 */
export async function relaySqlOutbox(
  db: DatabaseSync,
  client: Enqueuer,
  registry: JobRegistry,
): Promise<{ readonly sent: readonly string[]; readonly failed: readonly string[] }> {
  const rows = db.prepare('SELECT id, job, payload FROM wharf_outbox ORDER BY seq').all() as {
    id: string;
    job: string;
    payload: string;
  }[];
  const sent: string[] = [];
  const failed: string[] = [];
  for (const row of rows) {
    const job = registry.get(row.job);
    try {
      if (!job) throw new Error(`job "${row.job}" is not in the registry`);
      await client.enqueue(job.with(JSON.parse(row.payload) as never, { jobId: row.id }));
    } catch (error) {
      console.error(`outbox row ${row.id} stays for the next relay: ${(error as Error).message}`);
      failed.push(row.id);
      continue;
    }
    db.prepare('DELETE FROM wharf_outbox WHERE id = ?').run(row.id);
    sent.push(row.id);
  }
  return { sent, failed };
}

/** Rows still waiting for the relay. */
export function pendingOutboxRows(db: DatabaseSync): number {
  return Number((db.prepare('SELECT COUNT(*) AS n FROM wharf_outbox').get() as { n: number }).n);
}

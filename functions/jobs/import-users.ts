import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineJob, performAllLater } from 'wharf-jobs';
import { z } from 'zod';
import { parseUsersCsv } from '../app/csv';
import { services } from '../app/services';
import { sendWelcomeEmail } from './send-welcome-email';

const DATA_DIR = resolve(import.meta.dirname, '../data');

/**
 * Imports users from a CSV file of the app's data folder. Bad rows are reported in the result, not fatal; users
 * are upserted by email, so running the import twice creates nobody twice. New users get a welcome email.
 */
export const importUsers = defineJob({
  name: 'import-users',
  schema: z.object({ file: z.string().regex(/^[\w.-]+\.csv$/, 'a .csv file name in functions/data') }),
  queue: 'default',
  timeout: '2m',
  async perform({ file }, ctx) {
    const { rows, problems } = parseUsersCsv(await readFile(resolve(DATA_DIR, file), 'utf8'));
    const created: string[] = [];
    for (const [index, row] of rows.entries()) {
      ctx.signal.throwIfAborted();
      const { user, created: isNew } = services().users.upsertByEmail(row, Date.now());
      if (isNew) created.push(user.id);
      ctx.progress({ done: index + 1, total: rows.length, message: `imported ${row.email}` });
    }
    if (created.length > 0) {
      const { failed } = await performAllLater(created.map((userId) => sendWelcomeEmail.with({ userId })));
      if (failed.length > 0) throw new Error(`${failed.length} welcome emails could not be enqueued`);
    }
    return { imported: created.length, unchanged: rows.length - created.length, badRows: problems };
  },
});

import { describe, expect, it } from 'vitest';
import { batchesPage, batchPage } from '../../src/dashboard/pages/batches';
import { batchProgressText } from '../../src/ops/batch-text';
import { toBatchView } from '../../src/ops/batch-view';
import type { BatchCallbackKind, BatchRecord } from '../../src/store/types';
import { textOf } from '../helpers/dashboard-http';

const NOW = Date.UTC(2026, 11, 1, 12);
const callback = (kind: BatchCallbackKind) => ({
  kind,
  address: 'imports',
  envelope: {
    v: 1 as const,
    id: `imp-1:${kind}`,
    job: 'summarize-import',
    payload: { secret: 'not for operators' },
    attempt: 1,
    createdAtMs: NOW,
    enqueuedAtMs: NOW,
  },
});
const finished: BatchRecord = {
  batchId: 'imp-1',
  description: 'import <b>rows</b>',
  total: 100,
  pending: 0,
  counts: { succeeded: 97, dead: 3, discarded: 0, expired: 0, cancelled: 0 },
  callbacks: [callback('onFinish'), callback('onSuccess')],
  createdAtMs: NOW - 60_000,
  finishedAtMs: NOW - 5_000,
  callbacksSentAtMs: NOW - 4_000,
  expiresAtSec: NOW / 1000 + 86_400,
};

// What the CLI and the dashboard say of a batch, rendered from records as the store keeps them (states a running
// engine passes through too quickly to hold: sent-but-not-confirmed, an empty batch).
describe('the views of a batch', () => {
  it('says how many ended, of which outcome, and which callbacks were sent or will not run', () => {
    expect(batchProgressText(toBatchView(finished))).toBe(
      '100/100 ended: 97 succeeded, 3 dead; onFinish sent, onSuccess will not run',
    );
    const open = { ...finished, pending: 63, counts: { ...finished.counts, succeeded: 34 } };
    const { finishedAtMs: _f, callbacksSentAtMs: _c, ...stillOpen } = open;
    expect(batchProgressText(toBatchView(stillOpen))).toBe(
      '37/100 ended: 34 succeeded, 3 dead; onFinish waits for the batch to end, onSuccess will not run',
    );
  });

  it('calls a due callback not yet confirmed sent what it is, and an empty batch finished with none counted', () => {
    const { callbacksSentAtMs: _c, ...unconfirmed } = finished;
    expect(toBatchView(unconfirmed).callbacks.map((c) => c.state)).toEqual(['sending', 'will-not-run']);
    const empty = {
      ...finished,
      total: 0,
      counts: { ...finished.counts, succeeded: 0, dead: 0 },
      callbacks: [],
    };
    expect(batchProgressText(toBatchView(empty))).toBe('0/0 ended: none yet; no callbacks');
    expect(batchPage(toBatchView(empty)).value).toContain('<progress max="1" value="1"');
  });

  it('renders the batch page escaped, with a link to each callback sent and no payload', () => {
    const page = batchPage(toBatchView(finished)).value;
    expect(page).toContain('import &lt;b&gt;rows&lt;/b&gt;');
    expect(page).toContain('<progress max="100" value="100"');
    expect(page).toContain('<a href="/jobs/imp-1%3AonFinish">imp-1:onFinish</a>');
    expect(page).not.toContain('href="/jobs/imp-1%3AonSuccess"');
    expect(page).not.toContain('not for operators');
    expect(textOf(page)).toMatch(/dead 3/);
  });

  it('lists batches with a progress bar each, a link to each, and the next page', () => {
    const open = {
      ...finished,
      batchId: 'imp-2',
      pending: 63,
      counts: { ...finished.counts, succeeded: 34 },
    };
    const page = batchesPage({ batches: [toBatchView(open), toBatchView(finished)], cursor: 'abc' }).value;
    expect(page).toContain('<a href="/batches/imp-2">imp-2</a>');
    expect(page).toContain('<progress max="100" value="37"');
    expect(page).toContain('href="/batches?cursor=abc"');
    expect(textOf(page)).toContain('37/100');
    expect(textOf(batchesPage(undefined).value)).toContain('No job table is configured');
  });
});

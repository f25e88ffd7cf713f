import { describe, expect, it } from 'vitest';
import { RELEASED_BEHIND, type Settlement, settleMessages } from '../../src/engine/settle-messages';
import type { Disposition, Engine } from '../../src/engine/types';
import type { ReceivedMessage } from '../../src/transport/types';

const message = (id: string): ReceivedMessage => ({
  messageId: id,
  receiptHandle: `r-${id}`,
  body: id,
  queue: 'default',
  attributes: {},
  receiveCount: 1,
});

/** An engine that releases the bodies it is told to, acks the rest, and counts how many run at once. */
function scriptedEngine(releases: readonly string[]) {
  const seen: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const engine: Engine = {
    async process(m): Promise<Disposition> {
      seen.push(m.body);
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return releases.includes(m.body)
        ? { action: 'release', reason: `release ${m.body}` }
        : { action: 'ack', outcome: 'succeeded' };
    },
  };
  return { engine, seen, mostAtOnce: () => mostAtOnce };
}

function recorder() {
  const log: string[] = [];
  const settlement: Settlement = {
    ack: (m) => void log.push(`ack ${m.body}`),
    release: (m, reason) => void log.push(`release ${m.body}: ${reason}`),
  };
  return { log, settlement };
}

describe('settleMessages', () => {
  it('acks and releases each message as the engine decided, running at most `concurrency` at once', async () => {
    const { engine, mostAtOnce } = scriptedEngine(['b']);
    const { log, settlement } = recorder();
    await settleMessages(engine, ['a', 'b', 'c', 'd', 'e'].map(message), settlement, { concurrency: 2 });
    expect([...log].sort()).toEqual(['ack a', 'ack c', 'ack d', 'ack e', 'release b: release b']);
    expect(mostAtOnce()).toBe(2);
  });

  it('in order, stops at the first release and gives back the rest unrun', async () => {
    const { engine, seen } = scriptedEngine(['b']);
    const { log, settlement } = recorder();
    await settleMessages(engine, ['a', 'b', 'c', 'd'].map(message), settlement, {
      ordered: true,
      concurrency: 10,
    });
    expect(seen).toEqual(['a', 'b']);
    expect(log).toEqual([
      'ack a',
      'release b: release b',
      `release c: ${RELEASED_BEHIND}`,
      `release d: ${RELEASED_BEHIND}`,
    ]);
  });

  it('resolves only once every settlement that returned a promise is done', async () => {
    const { engine } = scriptedEngine([]);
    const done: string[] = [];
    const settlement: Settlement = {
      ack: (m) => new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() => void done.push(m.body)),
      release: () => undefined,
    };
    await settleMessages(engine, ['a', 'b'].map(message), settlement, { concurrency: 2 });
    expect(done.sort()).toEqual(['a', 'b']);
  });
});

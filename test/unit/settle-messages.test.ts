import { describe, expect, it } from 'vitest';
import { RELEASED_BEHIND, type Settlement, settleMessages } from '../../src/engine/settle-messages';
import type { Disposition, Engine } from '../../src/engine/types';
import type { ReceivedMessage } from '../../src/transport/types';

const message = (id: string, groupId?: string): ReceivedMessage => ({
  messageId: id,
  receiptHandle: `r-${id}`,
  body: id,
  queue: 'default',
  attributes: {},
  receiveCount: 1,
  ...(groupId === undefined ? {} : { groupId, fifo: true }),
});

/**
 * An engine that releases the bodies it is told to, has those in `waits` wait in place for 30 s, acks the rest,
 * and counts how many run at once.
 */
function scriptedEngine(releases: readonly string[], waits: readonly string[] = []) {
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
      if (waits.includes(m.body)) return { action: 'wait', outcome: 'retry-scheduled', visibleInSeconds: 30 };
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
    wait: (m, seconds) => void log.push(`wait ${m.body}: ${seconds} s`),
  };
  return { log, settlement };
}

describe('settleMessages', () => {
  it('acks and releases each message as the engine decided, running at most `concurrency` at once', async () => {
    const { engine, mostAtOnce } = scriptedEngine(['b']);
    const { log, settlement } = recorder();
    await settleMessages(
      engine,
      ['a', 'b', 'c', 'd', 'e'].map((id) => message(id)),
      settlement,
      { concurrency: 2 },
    );
    expect([...log].sort()).toEqual(['ack a', 'ack c', 'ack d', 'ack e', 'release b: release b']);
    expect(mostAtOnce()).toBe(2);
  });

  it('in order, stops at the first release and gives back the rest unrun', async () => {
    const { engine, seen } = scriptedEngine(['b']);
    const { log, settlement } = recorder();
    await settleMessages(
      engine,
      ['a', 'b', 'c', 'd'].map((id) => message(id)),
      settlement,
      {
        ordered: 'batch',
        concurrency: 10,
      },
    );
    expect(seen).toEqual(['a', 'b']);
    expect(log).toEqual([
      'ack a',
      'release b: release b',
      `release c: ${RELEASED_BEHIND}`,
      `release d: ${RELEASED_BEHIND}`,
    ]);
  });

  it('in order by group, a message that waits in place holds back only the rest of its own group', async () => {
    const { engine, seen } = scriptedEngine([], ['a2']);
    const { log, settlement } = recorder();
    const batch = [
      message('a1', 'A'),
      message('b1', 'B'),
      message('a2', 'A'),
      message('b2', 'B'),
      message('a3', 'A'),
    ];
    await settleMessages(engine, batch, settlement, { ordered: 'group', concurrency: 2 });
    expect(seen.filter((body) => body.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(seen.filter((body) => body.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(log.filter((line) => /^\w+ a\d/.test(line))).toEqual([
      'ack a1',
      'wait a2: 30 s',
      `release a3: ${RELEASED_BEHIND}`,
    ]);
    expect(log.filter((line) => /^\w+ b\d/.test(line))).toEqual(['ack b1', 'ack b2']);
  });

  it('in order by batch, a wait in place stops the batch like a release', async () => {
    const { engine, seen } = scriptedEngine([], ['a1']);
    const { log, settlement } = recorder();
    await settleMessages(engine, [message('a1', 'A'), message('b1', 'B')], settlement, { ordered: 'batch' });
    expect(seen).toEqual(['a1']);
    expect(log).toEqual(['wait a1: 30 s', `release b1: ${RELEASED_BEHIND}`]);
  });

  it('resolves only once every settlement that returned a promise is done', async () => {
    const { engine } = scriptedEngine([]);
    const done: string[] = [];
    const settlement: Settlement = {
      ack: (m) => new Promise<void>((resolve) => setTimeout(resolve, 5)).then(() => void done.push(m.body)),
      release: () => undefined,
      wait: () => undefined,
    };
    await settleMessages(
      engine,
      ['a', 'b'].map((id) => message(id)),
      settlement,
      { concurrency: 2 },
    );
    expect(done.sort()).toEqual(['a', 'b']);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine, type LocalEngine } from '../../src/local/local-engine';
import {
  type LocalEngineState,
  parseLocalEngineState,
  restoreLocalEngine,
  snapshotLocalEngine,
} from '../../src/local/local-state';
import { createManualClock } from '../../src/local/manual-clock';
import { createMemoryJobStore } from '../../src/store/memory-store';

const START = Date.parse('2026-03-01T08:00:00Z');
const DAY = 86_400_000;
const ran: string[] = [];
const doomed = defineJob({
  name: 'doomed',
  schema: z.object({ n: z.number() }),
  retry: { attempts: 1 },
  perform: () => {
    throw new Error('always fails');
  },
});
const later = defineJob({
  name: 'later',
  schema: z.object({}),
  jobId: () => 'one',
  perform: (_p, ctx) => void ran.push(ctx.jobId),
});
const registry = createRegistry([doomed, later]);

describe('the embedded engine state (what wharf --local keeps between commands)', () => {
  const engines: LocalEngine[] = [];
  afterEach(() => {
    for (const engine of engines.splice(0)) engine.close();
    ran.length = 0;
  });
  const engineAt = (startMs: number, saved?: LocalEngineState) => {
    const engine = createLocalEngine({
      registry,
      installAsDefault: true,
      clock: createManualClock(startMs),
      ...(saved ? { store: createMemoryJobStore(saved.records) } : {}),
    });
    engines.push(engine);
    return engine;
  };

  it('survives a JSON round trip: dead letters keep their message ids, records and waiting schedules stay', async () => {
    const first = engineAt(START);
    const dead = await doomed.performLater({ n: 1 });
    await first.runUntilIdle();
    await later.performLater({}, { delay: '3d' });
    const [deadLetter] = first.transport.peekDeadLetters('default');
    expect(deadLetter).toBeDefined();

    const saved = parseLocalEngineState(JSON.parse(JSON.stringify(await snapshotLocalEngine(first))), 'test');
    first.close();
    const second = engineAt(saved.nowMs, saved);
    await restoreLocalEngine(second, saved);

    expect(second.transport.peekDeadLetters('default')).toEqual([deadLetter]);
    expect(await second.store.get(dead.jobId, START)).toMatchObject({ jobName: 'doomed', status: 'dead' });
    expect(await second.scheduler.getJob('later:one')).toMatchObject({ kind: 'one-time', queue: 'default' });
    expect(second.scheduler.nextOneTimeAtMs()).toBe(START + 3 * DAY);
    await second.runUntilIdle();
    expect(ran).toEqual(['later:one']);
    expect(second.clock.nowMs()).toBe(START + 3 * DAY);
  });

  it('keeps the messages still waiting on a queue, with their ids and due times', async () => {
    const first = engineAt(START);
    await later.performLater({}, { delay: '10m' });
    const [waiting] = first.transport.peek('default');
    const saved = await snapshotLocalEngine(first);
    const second = engineAt(saved.nowMs, saved);
    await restoreLocalEngine(second, saved);
    expect(second.transport.peek('default')).toEqual([waiting]);
    expect(second.transport.nextVisibleAtMs('default')).toBe(START + 10 * 60_000);
  });

  it('refuses a state file it cannot read, saying how to start over', () => {
    expect(() => parseLocalEngineState({ v: 9, nowMs: 'x' }, '.wharf/local-app.json')).toThrow(
      'The local state in .wharf/local-app.json cannot be read (version 9, expected 1; nowMs is not a number; ' +
        'queues is not an object; records is not a list; schedules is not a list): delete it, or pass --fresh, to ' +
        'start over.',
    );
  });
});

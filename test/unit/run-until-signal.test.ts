import { describe, expect, it } from 'vitest';
import type { Worker } from '../../src/worker/index';
import { runUntilSignal } from '../../src/worker/index';

function fakeWorker() {
  let stopRun!: () => void;
  const calls: string[] = [];
  const worker: Worker = {
    inFlight: 2,
    run: () => {
      calls.push('run');
      return new Promise<void>((resolve) => {
        stopRun = resolve;
      });
    },
    stop: async (graceMs) => {
      calls.push(`stop ${graceMs}`);
      stopRun();
    },
  };
  return { worker, calls };
}

describe('runUntilSignal', () => {
  it('stops the worker gracefully on SIGTERM, once, and removes its signal handlers', async () => {
    const { worker, calls } = fakeWorker();
    const before = process.listenerCount('SIGTERM');
    const logs: string[] = [];
    const running = runUntilSignal(worker, { graceMs: 1234, log: (m) => logs.push(m) });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    process.emit('SIGTERM');
    process.emit('SIGTERM');
    await running;
    expect(calls).toEqual(['run', 'stop 1234']);
    expect(logs).toEqual(['[wharf worker] SIGTERM: finishing 2 running job(s), then stopping']);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

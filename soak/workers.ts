import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { WorkerLine } from './protocol';

export interface SoakWorker {
  /** 0, 1, 2...: the order in which the run started them (the replacement of a killed one gets the next). */
  readonly index: number;
  readonly child: ChildProcess;
  ready: boolean;
  /** What the driver did to it: an exit it did not ask for is a crash. */
  signalled?: 'SIGKILL' | 'SIGTERM';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface PoolOptions {
  readonly runDir: string;
  /** The worker's script (the bundle of soak/worker.ts). */
  readonly entry: string;
  /** The environment of worker `index` (its seed differs). */
  readonly env: (index: number) => NodeJS.ProcessEnv;
  readonly onLine: (worker: SoakWorker, line: WorkerLine) => void;
}

/** An exit nobody asked for: a worker crashed on its own. */
export interface Crash {
  readonly index: number;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The worker processes of a run. Every line a worker prints goes to `onLine` and, with the worker's index, to
 * events.jsonl in the run directory; its stderr (warnings) goes to worker-<index>.log there.
 */
export class WorkerPool {
  readonly crashes: Crash[] = [];
  private readonly live = new Set<SoakWorker>();
  private readonly events: WriteStream;
  private started = 0;

  constructor(private readonly options: PoolOptions) {
    this.events = createWriteStream(join(options.runDir, 'events.jsonl'));
  }

  get size(): number {
    return this.live.size;
  }

  start(): SoakWorker {
    const index = this.started++;
    const child = spawn(process.execPath, [this.options.entry], {
      env: this.options.env(index),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    );
    const worker: SoakWorker = { index, child, ready: false, exited };
    this.live.add(worker);
    child.stderr!.pipe(createWriteStream(join(this.options.runDir, `worker-${index}.log`)));
    this.readLines(worker);
    void exited.then(({ code, signal }) => {
      this.live.delete(worker);
      const asked = worker.signalled !== undefined && (signal === worker.signalled || code === 0);
      if (!asked) this.crashes.push({ index, pid: child.pid, code, signal });
    });
    return worker;
  }

  /** SIGKILLs one ready worker, chosen by `pick` (a number in [0, 1)); returns it, or undefined if none is ready. */
  kill(pick: number): SoakWorker | undefined {
    const ready = [...this.live].filter((w) => w.ready && w.signalled === undefined);
    const victim = ready[Math.floor(pick * ready.length)];
    if (!victim) return undefined;
    victim.signalled = 'SIGKILL';
    victim.child.kill('SIGKILL');
    return victim;
  }

  /** SIGTERMs every worker (each stops within its grace) and waits; SIGKILLs any still running after `timeoutMs`. */
  async stopAll(timeoutMs: number): Promise<void> {
    const workers = [...this.live];
    for (const worker of workers) {
      worker.signalled ??= 'SIGTERM';
      worker.child.kill('SIGTERM');
    }
    const timer = setTimeout(() => {
      for (const worker of workers) worker.child.kill('SIGKILL');
    }, timeoutMs);
    await Promise.all(workers.map((w) => w.exited));
    clearTimeout(timer);
    await new Promise<void>((done) => this.events.end(done));
  }

  /** For a driver that fails: nothing of the run may outlive it. */
  killAll(): void {
    for (const worker of this.live) {
      worker.signalled = 'SIGKILL';
      worker.child.kill('SIGKILL');
    }
  }

  private readLines(worker: SoakWorker): void {
    let buffered = '';
    worker.child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const text of complete) {
        if (!text) continue;
        let line: WorkerLine;
        try {
          line = JSON.parse(text) as WorkerLine;
        } catch {
          // A line cut by a SIGKILL cannot happen on a pipe (writes up to PIPE_BUF are atomic); say so if it does.
          this.events.write(`${JSON.stringify({ w: worker.index, unparsed: text })}\n`);
          continue;
        }
        this.events.write(`${JSON.stringify({ w: worker.index, ...line })}\n`);
        if (line.type === 'ready') worker.ready = true;
        this.options.onLine(worker, line);
      }
    });
  }
}

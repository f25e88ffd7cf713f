import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** Where the npm `node` devDependency puts Node 24 (and the other tools' bins). */
const NODE_BIN_DIR = join(REPO_ROOT, 'node_modules/.bin');
/** The account ministack answers as. */
export const MINISTACK_ACCOUNT_ID = '000000000000';

export interface Ministack {
  readonly endpoint: string;
  readonly port: number;
  /** Its own log: requests, the Lambda functions' output, CloudFormation's errors. */
  readonly logFile: string;
  /** The `node` it runs functions with (gap: the first on its PATH, whatever the runtime says). */
  readonly nodeVersion: string;
  stop(): Promise<void>;
}

/** A free loopback port: bound to 0, read, released. */
async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/**
 * Starts the pinned ministack (scripts/ensure-moto.sh installs it into .venv) on a free loopback port, in a
 * process group of its own so that stopping it also ends the Node processes it runs the functions in.
 *
 * Emulator gap, filled here: ministack runs a `nodejs24.x` function with whichever `node` is first on its PATH
 * (the machine's is Node 20), so Node 24 from node_modules/.bin goes first, and its version is checked.
 */
export async function startMinistack(): Promise<Ministack> {
  const port = await freePort();
  const logFile = join(mkdtempSync(join(tmpdir(), 'wharf-ministack-')), 'ministack.log');
  const path = `${NODE_BIN_DIR}${delimiter}${process.env.PATH ?? ''}`;
  const nodeVersion = execFileSync('node', ['--version'], { env: { ...process.env, PATH: path } })
    .toString()
    .trim();
  if (!nodeVersion.startsWith('v24.')) {
    throw new Error(`the node first on ministack's PATH is ${nodeVersion}, not Node 24 (npm ci installs it)`);
  }
  const log = createWriteStream(logFile);
  const child = spawn(join(REPO_ROOT, '.venv/bin/ministack'), [], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: path,
      GATEWAY_PORT: String(port),
      BIND_HOST: '127.0.0.1',
      MINISTACK_HOST: 'localhost',
      MINISTACK_REGION: 'us-east-1',
      LOG_LEVEL: 'INFO',
      // Its own state under /tmp, never a persisted one of an earlier run.
      PERSIST_STATE: '0',
    },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(endpoint, child);
  } catch (error) {
    await stopGroup(child);
    throw new Error(`${(error as Error).message}; its log: ${logFile}`);
  }
  return { endpoint, port, logFile, nodeVersion, stop: () => stopGroup(child) };
}

async function waitForHealth(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ministack exited with ${child.exitCode} while starting`);
    try {
      if ((await fetch(`${endpoint}/_ministack/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('ministack did not answer its health check within 60 s');
}

/** SIGTERM to its process group, SIGKILL after 5 s: ministack and every function process it started. */
async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  signal('SIGKILL'); // function processes that outlived their parent
}
